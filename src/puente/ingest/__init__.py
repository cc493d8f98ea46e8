"""Ingest: agency exports -> mapping profile -> validation -> store, with a quarantine for bad rows."""
