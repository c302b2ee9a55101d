"""The warehouse: canonical tables in an embedded DuckDB file (or Spark), loaded idempotently."""
