"""Link analysis: the network of resolved entities each viewer may see, its communities, key players
and paths, and link charts exported for other tools."""
