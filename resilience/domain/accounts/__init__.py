"""People who sign in: accounts, passwords, sign-in sessions and throttling, and the audit trail."""
