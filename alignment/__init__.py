"""SamePage's domain and services: one implementation of every rule for pages, CLI, exports."""
