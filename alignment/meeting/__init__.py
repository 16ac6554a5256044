"""The monthly review and the tables of its pack."""
