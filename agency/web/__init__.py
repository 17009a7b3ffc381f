"""What several blueprints share: receiving uploads, file downloads, the approval form."""
