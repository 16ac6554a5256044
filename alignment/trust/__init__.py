"""Trust and alignment: the checklist, marketing maturity and the request log."""
