from datetime import datetime
from decimal import Decimal

import pytest

from channel.errors import InvalidInput
from channel.magento.catalog import Product
from channel.pricing import AccountSettings, compute_price, compute_qty, condition_of, round_price

NOW = datetime(2026, 11, 24, 15, 0)


def product(salable=Decimal(10), **attrs):
    base = {"price": Decimal("20.00"), "status": 1}
    return Product(1, "SKU-1", "simple", 4, {**base, **attrs}, [], salable_qty=salable)


def settings(**raw):
    return AccountSettings.from_json(raw)


def test_special_price_applies_through_its_to_date():
    p = product(special_price=Decimal("15"), special_from_date="2026-11-01 00:00:00",
                special_to_date="2026-11-24 00:00:00")
    assert compute_price(p, settings(), NOW) == Decimal("15.00")
    assert compute_price(p, settings(), datetime(2026, 11, 25, 0, 0)) == Decimal("20.00")
    assert compute_price(p, settings(price={"use_special_price": False}), NOW) == Decimal("20.00")


def test_special_price_never_raises_the_price():
    assert compute_price(product(special_price=Decimal("25")), settings(), NOW) == Decimal("20.00")


def test_adjustment_vat_currency_and_rounding():
    s = settings(price={"adjustment_type": "percent", "adjustment": 10, "vat_percent": 20, "currency_rate": "0.5",
                        "rounding": "x99"})
    # 20 * 1.10 = 22 -> * 1.2 = 26.4 -> * 0.5 = 13.2 -> 13.99
    assert compute_price(product(), s, NOW) == Decimal("13.99")
    assert compute_price(product(), settings(price={"adjustment_type": "fixed", "adjustment": -2}), NOW) == \
        Decimal("18.00")
    assert round_price(Decimal("13.00"), "x99") == Decimal("12.99")
    assert round_price(Decimal("13.5"), "whole") == Decimal("14")


def test_missing_or_non_positive_price_is_none():
    assert compute_price(product(price=None), settings(), NOW) is None
    assert compute_price(product(), settings(price={"adjustment_type": "fixed", "adjustment": -30}), NOW) is None


def test_quantity_threshold_maximum_and_unmanaged_stock():
    assert compute_qty(product(Decimal(10)), settings()) == 10
    assert compute_qty(product(Decimal(3)), settings(stock={"out_of_stock_threshold": 3})) == 0
    assert compute_qty(product(Decimal(50)), settings(stock={"max_quantity": 20})) == 20
    assert compute_qty(product(None), settings(stock={"unmanaged_quantity": 7})) == 7
    assert compute_qty(product(Decimal("4.9")), settings()) == 4
    assert compute_qty(product(Decimal(10), status=2), settings()) == 0


def test_condition_from_attribute_label_or_default():
    s = settings(condition_attribute="amazon_condition")
    assert condition_of(product(amazon_condition=103, amazon_condition_label="Used - Good"), s) == "used_good"
    assert condition_of(product(), s) == "new_new"
    assert condition_of(product(), settings(condition_default="")) is None


@pytest.mark.parametrize("raw,path", [
    ({"price": {"rounding": "banker"}}, "price.rounding"),
    ({"price": {"vat_percent": -1}}, "price.vat_percent"),
    ({"stock": {"out_of_stock_threshold": "some"}}, "stock.out_of_stock_threshold"),
    ({"stock": {"max_quantity": 0}}, "stock.max_quantity"),
    ({"fulfillment_channel": "ME"}, "fulfillment_channel"),
    ({"condition_default": "mint"}, "condition_default"),
])
def test_bad_settings_name_the_field(raw, path):
    with pytest.raises(InvalidInput) as err:
        AccountSettings.from_json(raw)
    assert err.value.details["path"] == path


def test_settings_round_trip_and_keep_other_sections():
    raw = {"auto_publish": True, "orders": {"import": True}, "price": {"vat_percent": "19"}}
    s = AccountSettings.from_json(raw)
    again = AccountSettings.from_json(s.to_json())
    assert again == s and again.extra == {"orders": {"import": True}}
