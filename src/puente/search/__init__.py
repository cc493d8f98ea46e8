"""Search: records and entities found by name, alias or identifier, in either language, from what
the viewer may see; each hit says why it matched."""

from puente.search.index import IndexReport, refresh
from puente.search.query import Filters, HeldElsewhere, Hit, Match, Reason, SearchResult, search

__all__ = [
    "Filters",
    "HeldElsewhere",
    "Hit",
    "IndexReport",
    "Match",
    "Reason",
    "SearchResult",
    "refresh",
    "search",
]
