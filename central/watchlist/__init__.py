"""The centre's watchlist: the list store, publishing, the SLTD importer and the hit store."""
