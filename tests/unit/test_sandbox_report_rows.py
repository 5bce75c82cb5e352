"""The sandbox formats a seeded seller's report rows as the seed loads (``warm_reports``);
a report built afterwards is the one a cold sandbox builds, and shows what changed since."""

from datetime import datetime

from sandbox.app import build_report, warm_reports
from sandbox.state import Clock, Marketplace

SELLER, MARKET = "A2WARMSELLER", "ATVPDKIKX0DER"
START = datetime(2026, 11, 30, 9, 0, 0)


def _market() -> Marketplace:
    market = Marketplace(Clock(start=START), throttle=False)
    market.load({"sellers": [{
        "seller_id": SELLER, "marketplaces": [MARKET], "client_id": "c", "client_secret": "s",
        "refresh_token": "r",
        "listings": [{"sku": f"SKU-{i}", "asin": f"B0{i:08d}", "price": 10 + i, "quantity": i % 3,
                      "title": f"Product {i}"} for i in range(1, 41)]}]})
    return market


def _rows(report: bytes) -> dict[str, list[str]]:
    lines = report.decode().splitlines()
    header = lines[0].split("\t")
    return {fields[header.index("seller-sku")]: fields for fields in (line.split("\t") for line in lines[1:])}


def test_a_report_after_the_rows_were_formatted_ahead_is_the_one_a_cold_sandbox_builds():
    warm, cold = _market(), _market()
    warm_reports(warm)
    assert build_report(warm, SELLER, MARKET) == build_report(cold, SELLER, MARKET)


def test_a_listing_changed_after_its_row_was_formatted_is_reported_as_it_is_now():
    market = _market()
    warm_reports(market)
    listing = market.sellers[SELLER].listings["SKU-7"]
    listing.price, listing.quantity, listing.title = 99.5, 0, "Renamed"
    del market.sellers[SELLER].listings["SKU-8"]
    header = build_report(market, SELLER, MARKET).decode().splitlines()[0].split("\t")
    rows = _rows(build_report(market, SELLER, MARKET))
    assert "SKU-8" not in rows and len(rows) == 39
    row = rows["SKU-7"]
    assert row[header.index("price")] == "99.50" and row[header.index("quantity")] == "0"
    assert row[header.index("item-name")] == "Renamed" and row[header.index("status")] == "Inactive"
    assert rows["SKU-9"][header.index("price")] == "19.00"
