"""Signing in and out, sessions and passwords."""
