"""Elected members' read-only home and briefing cards."""
