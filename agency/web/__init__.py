"""What several blueprints share: the labels of codes and the case history as people read
them, receiving uploads, downloads, the approvals queue, the menu and case-panel registry."""
