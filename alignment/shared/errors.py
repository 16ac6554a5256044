"""Domain exceptions whose message is a sentence written for the person who caused it."""


class SamePageError(Exception):
    """Base of every error a user may see; its text is shown as is, never a traceback."""


class InvalidPeriod(SamePageError):
    pass


class PermissionDenied(SamePageError):
    pass


class StoreUnavailable(SamePageError):
    pass


class StoreTooNew(SamePageError):
    pass


class StoreNotEmpty(SamePageError):
    pass


class ValidationFailed(SamePageError):
    pass


class EditedMeanwhile(ValidationFailed):
    """Someone saved the same figures first while this person was editing them; nothing of
    this save was written. A grid shows the figures as saved now, so the person can make
    their change again on what is really there."""


class StoreBusy(SamePageError):
    """Another change held the store longer than a writer may wait; nothing was written."""
