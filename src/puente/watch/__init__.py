"""Watches: a person or a case watches an identifier or an entity, and is told of new data touching it."""
