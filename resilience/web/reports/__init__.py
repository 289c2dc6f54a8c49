"""Report pages and downloads."""
