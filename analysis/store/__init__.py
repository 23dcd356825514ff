"""The Parquet store: records validated once, read back fast, aggregated in DuckDB."""
