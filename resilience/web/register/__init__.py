"""The register's pages: layers, records, and import and export."""
