"""Debtors' personal data: who read it (the access log), everything held about a debtor (the
export for an access request), and its erasure at the end of the retention period (the purge,
with the one sanctioned redaction of the audit trail)."""
