"""What several blueprints share: the labels of codes, the case history as read by people."""
