"""Domain errors shared by bridge and worker, split by what the caller does next."""


class ChannelError(Exception):
    """Base of every error the channel raises on purpose."""

    code = "channel_error"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(ChannelError):
    """The caller sent something we refuse; the message says what and where."""

    code = "invalid_input"


class NotFound(ChannelError):
    """The thing asked for does not exist."""

    code = "not_found"


class Conflict(ChannelError):
    """The request clashes with the current state (a lock, a newer schema, a duplicate)."""

    code = "conflict"


class ConfigurationError(ChannelError):
    """Settings are missing or contradict each other."""

    code = "configuration_error"
