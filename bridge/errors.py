"""One error shape for the API, ``{"error": {"code", "message", "details"}}``, and a
readable error fragment for the admin pages. Never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from bridge.signing import SignatureError
from channel.db import is_lock_conflict
from channel.errors import ChannelError, Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

STATUS = {InvalidInput: 422, NotFound: 404, Conflict: 409}
#: Seconds a client is asked to wait after a lock conflict (503).
BUSY_RETRY_AFTER_S = 2


class Forbidden(ChannelError):
    code = "forbidden"


class BadRequest(ChannelError):
    code = "bad_request"


class UnsupportedMediaType(ChannelError):
    code = "unsupported_media_type"


def _wants_html() -> bool:
    return request.path.startswith(("/fragments/", "/ui/"))


def render(status: int, code: str, message: str, details: dict | None = None):
    if _wants_html():
        return render_template("error.html", status=status, code=code, message=message), status
    return jsonify({"error": {"code": code, "message": message, "details": details or {}}}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ChannelError)
    def channel_error(err: ChannelError):
        status = 403 if isinstance(err, Forbidden) else 400 if isinstance(err, BadRequest) else \
            415 if isinstance(err, UnsupportedMediaType) else \
            next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400)
        return render(status, err.code, err.message, err.details)

    @app.errorhandler(SignatureError)
    def signature_error(err: SignatureError):
        return render(401, err.code, err.message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 400: "bad_request"}.get(
            status, "http_error")
        return render(status, code, err.description or err.name)

    @app.errorhandler(OperationalError)
    def database_error(err: OperationalError):
        if not is_lock_conflict(err):
            return unexpected(err)
        # InnoDB rolled the request's transaction back: nothing was written, asking again is the cure.
        logger.warning("Lock conflict on %s %s: %s", request.method, request.path, err.orig)
        response = make_response(render(503, "database_busy", "The store's database was busy with the same rows"
                                        " (a sync or another admin); nothing was changed. Try again in a moment."))
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        logger.exception("Unexpected error on %s %s", request.method, request.path)
        return render(500, "internal_error", "Something went wrong in the bridge; the details are in its log.")
