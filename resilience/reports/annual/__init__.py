"""The annual report on duties and training: its figures and its document."""
