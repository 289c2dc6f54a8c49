"""Administration: people, the audit trail and reminder failures."""
