"""Emergency plans and their records: versions, reviews and exercises."""
