"""Central side: collector and migration statistics (runs at headquarters, not on the booth)."""
