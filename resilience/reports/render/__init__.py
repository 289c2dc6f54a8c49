"""Turning documents into PDF, Word and map images, in bounded worker processes."""
