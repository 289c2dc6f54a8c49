"""Briefing cards and packs for members: one site's, or one training session's."""
