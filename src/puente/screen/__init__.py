"""Southbound screening: both nations' hot lists, and the instant check of a plate, VIN or driver."""
