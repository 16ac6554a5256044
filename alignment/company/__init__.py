"""The company itself: its settings, the first-run guide and the demo company."""
