"""What if it leaks? A screening release footprint, who is in it, and whom to warn."""
