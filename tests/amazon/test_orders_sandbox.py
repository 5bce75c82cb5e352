"""The sandbox's orders are as strict as Amazon's: confirmShipment refuses what Amazon
refuses, getOrder/searchOrders return only the datasets asked for and no restricted
data where Amazon gives none, searchOrders pages stay stable and are rate limited."""

from datetime import datetime, timedelta, timezone

import pytest
import requests

from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER
from worker.amazon import orders
from worker.amazon.errors import InvalidInput


def confirm(client, order, **package):
    body = {"packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z1",
            "shipDate": "2026-03-02T10:30:00Z",
            "orderItems": [{"orderItemId": order["orderItems"][0]["orderItemId"], "quantity": 1}], **package}
    body = {k: v for k, v in body.items() if v is not None}
    client.call("confirmShipment", "POST", f"/orders/v0/orders/{order['orderId']}/shipmentConfirmation",
                json={"marketplaceId": client.marketplace_id, "packageDetail": body})


@pytest.mark.parametrize("package, why", [
    ({"packageReferenceId": "M7"}, "positive number"),
    ({"packageReferenceId": "0"}, "positive number"),
    ({"carrierCode": "Other"}, "carrierName"),
    ({"shipDate": "02/21/2022"}, "ISO 8601"),
    ({"shipDate": "2026-03-02"}, "ISO 8601"),
    ({"quantity": 3}, "still unshipped"),
])
def test_confirm_shipment_refuses_what_amazon_refuses(client, sandbox, package, why):
    order = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-1", "quantity": 2}]})
    if "quantity" in package:
        package = {"orderItems": [{"orderItemId": order["orderItems"][0]["orderItemId"],
                                   "quantity": package["quantity"]}]}
    with pytest.raises(InvalidInput) as refused:
        confirm(client, order, **package)
    assert why in refused.value.message
    assert sandbox.admin("GET", f"/sellers/{SELLER}/shipments") == []


def test_packages_ship_items_until_none_is_left(client, sandbox):
    order = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-1", "quantity": 2}]})
    confirm(client, order, packageReferenceId="1")
    shown = orders.get_order(client, order["orderId"])
    assert shown["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    assert shown["orderItems"][0]["fulfillment"] == {"quantityFulfilled": 1, "quantityUnfulfilled": 1}
    assert list(orders.shipped_packages(shown)) == ["1"]
    with pytest.raises(InvalidInput):
        confirm(client, order, packageReferenceId="1")  # the same package twice
    confirm(client, order, packageReferenceId="2", carrierCode="Other", carrierName="Nova Post")
    shown = orders.get_order(client, order["orderId"])
    assert shown["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert shown["packages"][1]["carrier"] == "Nova Post"
    with pytest.raises(InvalidInput):
        confirm(client, order, packageReferenceId="3")  # nothing left to ship


def test_client_refuses_packages_amazon_would_refuse(client):
    now = datetime.now(timezone.utc)
    with pytest.raises(ValueError):
        orders.confirm_shipment(client, "1", "M7", "UPS", "1Z", [{"orderItemId": "1", "quantity": 1}], now)
    with pytest.raises(ValueError):
        orders.confirm_shipment(client, "1", "7", "Other", "1Z", [{"orderItemId": "1", "quantity": 1}], now)
    detail = orders.package_detail("7", "Other", "1Z", [{"orderItemId": "1", "quantity": 1}],
                                   datetime(2026, 3, 2, 11, 30, tzinfo=timezone(timedelta(hours=1))), "Nova Post")
    assert detail["shipDate"] == "2026-03-02T10:30:00Z" and detail["carrierName"] == "Nova Post"


def access_token(sandbox):
    return requests.post(sandbox.lwa_url, data={"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                                "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN},
                         timeout=10).json()["access_token"]


def raw_get(sandbox, path, token=None, **params):
    return requests.get(sandbox.url + path, params=params, timeout=10,
                        headers={"x-amz-access-token": token or access_token(sandbox)})


def test_only_the_datasets_asked_for_are_returned(sandbox):
    order = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-1", "quantity": 1, "price": "9.00"}]})
    path = f"/orders/2026-01-01/orders/{order['orderId']}"
    bare = raw_get(sandbox, path).json()["order"]
    assert not {"buyer", "recipient", "proceeds", "fulfillment", "packages"} & set(bare)
    assert "proceeds" not in bare["orderItems"][0]
    some = raw_get(sandbox, path, includedData="FULFILLMENT,PROCEEDS").json()["order"]
    assert some["proceeds"]["grandTotal"] == {"amount": "9.00", "currencyCode": "USD"}
    assert some["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED" and "buyer" not in some
    assert raw_get(sandbox, path, includedData="EVERYTHING").status_code == 400
    assert set(orders.INCLUDED_DATA) >= {"BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES"}


def test_no_restricted_data_or_prices_where_amazon_gives_none(client, sandbox):
    pending = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-1", "price": "9.00"}], "status": "PENDING"})
    fba = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-2"}], "status": "SHIPPED",
                                            "fulfilled_by": "AMAZON"})
    mfn = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-3"}]})
    shown = orders.get_order(client, pending["orderId"])
    assert "price" not in shown["orderItems"][0]["product"] and "proceeds" not in shown
    assert "buyer" not in shown and "recipient" not in shown
    shown = orders.get_order(client, fba["orderId"])
    assert "buyer" not in shown and "addressLine1" not in shown["recipient"]["deliveryAddress"]
    assert shown["recipient"]["deliveryAddress"]["countryCode"] == "US" and shown["proceeds"]
    assert orders.get_order(client, mfn["orderId"])["recipient"]["deliveryAddress"]["addressLine1"]
    sandbox.admin("POST", f"/sellers/{SELLER}/roles", json={"restricted": False})
    shown = orders.get_order(client, mfn["orderId"])
    assert "buyer" not in shown and "addressLine1" not in shown["recipient"]["deliveryAddress"]


def test_pages_stay_stable_when_orders_change_while_paging(client, sandbox):
    made = [sandbox.market.add_order(SELLER, {"items": [{"sku": f"S-{n}"}]})["orderId"] for n in range(5)]
    after = orders.iso(datetime.now(timezone.utc) - timedelta(days=1))
    first = orders.search_page(client, after, page_size=2)
    sandbox.market.update_order(SELLER, first.orders[0]["orderId"], "SHIPPED")  # moves past the search's bound
    second = orders.search_page(client, after, first.next_token, page_size=2)
    third = orders.search_page(client, after, second.next_token, page_size=2)
    seen = [o["orderId"] for page in (first, second, third) for o in page.orders]
    assert set(seen) == set(made) and third.next_token is None  # none lost (a changed one may come again)
    assert first.updated_before == third.updated_before  # one search, one upper bound
    with pytest.raises(InvalidInput):  # a token belongs to its search
        orders.search_page(client, orders.iso(datetime.now(timezone.utc) - timedelta(days=2)), first.next_token)


def test_search_orders_is_rate_limited_on_the_sandbox_clock(sandbox):
    after = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = access_token(sandbox)
    with requests.Session() as http:
        answers = [http.get(sandbox.url + "/orders/2026-01-01/orders", params={"lastUpdatedAfter": after},
                            headers={"x-amz-access-token": token}, timeout=10).status_code for _ in range(24)]
    assert answers[:20] == [200] * 20 and 429 in answers[20:]  # burst 20, then 0.0056/s (x200 here)


def test_orders_with_packages_and_restricted_fields_validate_against_the_model(sandbox):
    from reference import shared_path

    from .contract import Models

    models = Models(shared_path("sp-api", "models"))
    order = sandbox.market.add_order(SELLER, {"items": [{"sku": "S-1", "quantity": 2}]})
    sandbox.market.ship_package(SELLER, order["orderId"], {
        "packageReferenceId": "1", "carrierCode": "Other", "carrierName": "Nova Post", "trackingNumber": "NP1",
        "shipDate": "2026-03-02T10:30:00Z", "shippingMethod": "Standard",
        "orderItems": [{"orderItemId": order["orderItems"][0]["orderItemId"], "quantity": 1}]})
    sandbox.market.add_order(SELLER, {"items": [{"sku": "S-2"}], "status": "PENDING"})
    sandbox.market.add_order(SELLER, {"items": [{"sku": "S-3"}], "status": "SHIPPED", "fulfilled_by": "AMAZON"})
    token = access_token(sandbox)
    included = ",".join(orders.INCLUDED_DATA)
    path = f"/orders/2026-01-01/orders/{order['orderId']}"
    one = raw_get(sandbox, path, token, includedData=included)
    assert one.json()["order"]["packages"][0]["packageItems"][0]["quantity"] == 1
    models.check_response("GET", sandbox.url + path, one.status_code, one.json())
    after = orders.iso(datetime.now(timezone.utc) - timedelta(days=1))
    found = raw_get(sandbox, "/orders/2026-01-01/orders", token, lastUpdatedAfter=after, includedData=included,
                    maxResultsPerPage=2)
    assert len(found.json()["orders"]) == 2 and found.json()["pagination"]["nextToken"]
    models.check_response("GET", sandbox.url + "/orders/2026-01-01/orders", found.status_code, found.json())
