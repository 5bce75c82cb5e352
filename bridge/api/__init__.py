"""The ``/api/v1`` blueprint: one module per resource."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import yaml
from flask import Blueprint, g, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SPEC = Path(__file__).resolve().parents[1] / "openapi.yaml"
try:
    VERSION = importlib.metadata.version("channel-amazon")
except importlib.metadata.PackageNotFoundError:  # running from a checkout that was not installed
    VERSION = "0.0.0"


@bp.get("/openapi.json")
def openapi():
    return jsonify(yaml.safe_load(SPEC.read_text()))


@bp.get("/health")
def health():
    return jsonify({"status": "ok", "version": VERSION})


@bp.get("/whoami")
def whoami():
    return jsonify({"user": g.caller.user, "grants": sorted(g.caller.grants)})


from bridge.api import (  # noqa: E402,F401
    accounts,
    activity,
    alerts,
    asins,
    attributes,
    connect,
    listings,
    new_asin,
    orders,
    product,
    pushes,
    search,
)


