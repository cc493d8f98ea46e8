"""Leads: new data that meets another agency's case, watch or trace, routed and followed up."""
