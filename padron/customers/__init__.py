"""The customer domain: payload rules, merge semantics and the ingest service."""
