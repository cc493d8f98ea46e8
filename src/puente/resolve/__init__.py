"""Entity resolution: which records, across agencies and languages, are the same person."""
