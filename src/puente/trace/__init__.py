"""Firearms tracing: recovered guns matched to the first retail sale, indicators, patterns, ranking."""
