"""Budget and return: budget lines, their import, reconciliation with finance, the
overview."""
