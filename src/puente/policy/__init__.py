"""Governance: who may see what, pointers, access requests, and the tamper-evident audit log."""
