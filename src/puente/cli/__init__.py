"""The command-line face: ``puente``."""
