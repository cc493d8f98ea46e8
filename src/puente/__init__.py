"""Puente: a binational exchange for cross-border trafficking intelligence."""

__version__ = "0.1.0"
