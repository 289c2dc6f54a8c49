"""The what-if warn-and-inform PDF and its static map."""
