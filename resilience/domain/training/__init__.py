"""Training for elected members and officers: sessions, invitations, attendance and refreshers."""
