"""``channel_amazon_listing`` has one writer: ``channel/listing_state.py``. Every other
module of the product asks it for a named transition."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "channel" / "listing_state.py"
#: A write whose target is the listing table, by name or through a LISTING constant.
WRITE = re.compile(
    r"(INSERT\s+(?:IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"
    r"(?:`?\w*channel_amazon_listing`?(?![\w])|\{(?:LISTING|tables\.name\([^)]*LISTING\))\})",
    re.IGNORECASE)


def _writes(path: Path) -> list[str]:
    text = path.read_text()
    return [m.group(0) for m in WRITE.finditer(text)]


def test_the_pattern_finds_writes():
    assert WRITE.search('f"UPDATE {LISTING} SET tab = :t"')
    assert WRITE.search("INSERT INTO channel_amazon_listing (account_id) VALUES (1)")
    assert WRITE.search("DELETE FROM `mg_channel_amazon_listing` WHERE 1")
    assert not WRITE.search("INSERT INTO channel_amazon_listing_change (listing_id) VALUES (1)")
    assert not WRITE.search("SELECT tab FROM channel_amazon_listing")


def test_no_module_but_the_owner_writes_the_listing_table():
    found = {}
    for package in ("channel", "worker", "bridge"):
        for path in (ROOT / package).rglob("*.py"):
            if path != OWNER and _writes(path):
                found[str(path.relative_to(ROOT))] = _writes(path)
    assert found == {}
    assert _writes(OWNER)  # the owner does write it
