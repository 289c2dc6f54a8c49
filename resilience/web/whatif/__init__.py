"""What if it leaks? The form, the result page, downloads and saved scenarios."""
