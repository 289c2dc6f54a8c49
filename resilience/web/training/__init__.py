"""Training sessions, invitations and attendance."""
