"""Definitions of success: what success means, its states and workflow, and the signature's
seal."""
