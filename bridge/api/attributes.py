"""Product attributes for the listing-rule builder: labels, value types, operators, options."""

from __future__ import annotations

from flask import jsonify

from bridge import db
from bridge.api import bp
from bridge.api.common import reader
from bridge.auth import requires
from channel.magento.attributes import product_facts, rule_attributes
from channel.rules import OPERATORS


@bp.get("/attributes")
@requires("view")
def list_attributes():
    schema = reader().schema
    conn = db.session.connection()
    return jsonify({"attributes": rule_attributes(conn, schema), "facts": product_facts(conn, schema),
                    "operators": OPERATORS})
