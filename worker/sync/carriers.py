"""Magento carrier codes (and tracking titles) to Amazon's carrier codes.

Amazon takes a ``carrierCode`` from its list of carriers; anything else is ``Other``
and then needs ``carrierName`` (confirmShipment is refused without it). Magento's own
carriers are ``ups``, ``usps``, ``fedex``, ``dhl``; shipping extensions use their own
codes, and ``custom`` tracks carry the carrier only in their title, so an unknown
code is looked up by its title too.
"""

from __future__ import annotations

import re

#: Amazon carrier codes by a normalised Magento carrier code or carrier title.
AMAZON_CARRIERS = {
    "ups": "UPS", "upsmi": "UPS Mail Innovations", "usps": "USPS", "fedex": "FedEx",
    "fedexsmartpost": "FedEx SmartPost", "dhl": "DHL", "dhlint": "DHL", "dhlexpress": "DHL",
    "dhlparcel": "DHL", "dhlecommerce": "DHL eCommerce", "deutschepost": "Deutsche Post", "dpd": "DPD",
    "dpduk": "DPD", "gls": "GLS", "hermes": "Hermes", "evri": "Evri", "royalmail": "Royal Mail",
    "parcelforce": "Parcelforce", "yodel": "Yodel", "tnt": "TNT", "chronopost": "Chronopost",
    "colissimo": "Colissimo", "laposte": "La Poste", "posteitaliane": "Poste Italiane", "sda": "SDA",
    "brt": "BRT", "bartolini": "BRT", "correos": "Correos", "seur": "SEUR", "mrw": "MRW", "nacex": "Nacex",
    "postnl": "PostNL", "canadapost": "Canada Post", "purolator": "Purolator", "australiapost": "Australia Post",
    "auspost": "Australia Post", "japanpost": "Japan Post", "yamato": "Yamato Transport",
    "yamatotransport": "Yamato Transport", "sagawa": "Sagawa Express", "sagawaexpress": "Sagawa Express",
    "ontrac": "OnTrac", "amazonshipping": "Amazon Shipping",
}


def _key(value: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (value or "").lower())


def amazon_carrier(carrier_code: str | None, title: str | None = None) -> tuple[str, str | None]:
    """(Amazon carrier code, carrier name). The name is given whenever the code is Other."""
    code = AMAZON_CARRIERS.get(_key(carrier_code))
    if code is None:
        code = AMAZON_CARRIERS.get(_key(title))
        if code is None:  # "DHL Paket", "DPD Classic": the first word names the carrier
            code = AMAZON_CARRIERS.get(_key((title or "").split(" ")[0]))
    if code is not None:
        return code, None
    name = (title or "").strip() or (carrier_code or "").strip() or "Other carrier"
    return "Other", name[:255]
