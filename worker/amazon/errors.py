"""Amazon's errors by what happens next: retry later, or stop and record the reason."""

from __future__ import annotations


class AmazonError(Exception):
    """An SP-API call failed; carries Amazon's errors[] and x-amzn-RequestId."""

    retryable = False

    def __init__(self, message: str, *, operation: str = "", status: int | None = None,
                 errors: list | None = None, request_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.status = status
        self.errors = errors or []
        self.request_id = request_id

    @property
    def code(self) -> str | None:
        return self.errors[0].get("code") if self.errors and isinstance(self.errors[0], dict) else None


class Retryable(AmazonError):
    """Try again later: the job is re-queued with a delay instead of holding a worker."""

    retryable = True


class Throttled(Retryable):
    """429 QuotaExceeded after the bounded retries."""


class AmazonUnavailable(Retryable):
    """500/503 or a network failure or timeout after the bounded retries."""


class OutcomeUnknown(AmazonUnavailable):
    """A call that creates something (createFeed, createReport) got no answer: it may or may
    not have been applied, so it is not sent again blindly. The caller looks for what it
    may have created, or gives the step up and lets the next cycle decide."""


class Unauthorized(AmazonError):
    """403/401: wrong credentials, missing role, or a token that stays refused."""


class InvalidInput(AmazonError):
    """400: Amazon refused the request as malformed."""


class NotFound(AmazonError):
    """404: the resource does not exist."""


class LoginFailed(Unauthorized):
    """Login with Amazon refused the refresh token or the client credentials."""


class DocumentError(AmazonError):
    """A report or feed document could not be downloaded or decoded."""


class ProcessingFailed(AmazonError):
    """A report or feed ended FATAL or CANCELLED."""


def for_status(status: int):
    if status == 429:
        return Throttled
    if status >= 500:
        return AmazonUnavailable
    if status in (401, 403):
        return Unauthorized
    if status == 404:
        return NotFound
    return InvalidInput
