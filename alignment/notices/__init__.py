"""Notices: the outbox, e-mail and chat delivery, what is due and when (the schedule)."""
