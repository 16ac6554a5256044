"""Where the next dollar goes: the response model and what it proposes."""
