"""Deconfliction: agencies told, at once and with whom to call, when their operations overlap in time
and place or their cases hold the same target; never the other side's details."""
