"""The settings form's help holds to what the API accepts: every range shown is the
range ``PUT /settings`` enforces, at both ends, and every choice offered is accepted."""

from decimal import Decimal

import pytest

from bridge.settings_help import FIELDS


def _body(path: str, value) -> dict:
    head, _, tail = path.partition(".")
    return {head: {tail: value}} if tail else {head: value}


def _nudge(raw: str, field, direction: int):
    step = Decimal(field.step or "1")
    value = Decimal(raw) + direction * step
    return int(value) if field.kind == "int" else str(value)


RANGED = [f for f in FIELDS if f.minimum is not None]


@pytest.mark.parametrize("field", RANGED, ids=[f.path for f in RANGED])
def test_the_range_shown_is_the_range_accepted(api, account_id, field):
    url = f"/api/v1/accounts/{account_id}/settings"
    for edge in (field.minimum, field.maximum):
        value = int(edge) if field.kind == "int" else edge
        resp = api.put(url, json=_body(field.path, value))
        assert resp.status_code == 200, (field.path, edge, resp.get_json())
    for raw, direction in ((field.minimum, -1), (field.maximum, 1)):
        resp = api.put(url, json=_body(field.path, _nudge(raw, field, direction)))
        assert resp.status_code == 422, (field.path, raw, direction)
        assert resp.get_json()["error"]["details"]["path"] == field.path
    assert field.range.startswith("From ") and field.help


@pytest.mark.parametrize("field", [f for f in FIELDS if f.kind == "choice"], ids=lambda f: f.path)
def test_every_choice_offered_is_accepted(api, account_id, field):
    for code, _ in field.choices:
        resp = api.put(f"/api/v1/accounts/{account_id}/settings", json=_body(field.path, code))
        assert resp.status_code == 200, (field.path, code, resp.get_json())


def test_every_setting_has_help():
    assert len({f.path for f in FIELDS}) == len(FIELDS)
    assert all(len(f.help) > 20 for f in FIELDS)
    assert "price.currency_rate" in {f.path for f in FIELDS}
