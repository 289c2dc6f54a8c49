"""Map pages, downloads and the queries that feed webmap."""
