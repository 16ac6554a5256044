"""The shared words: one clock, one set of errors, periods, money, formatting, the status
vocabulary, the text rule and the metrics every page shows."""
