"""Amazon marketplaces as data: id, country, currency, region and SP-API host.

Shared by the bridge (account forms, validation) and the worker (which host to call).
"""

from __future__ import annotations

import dataclasses

from channel.errors import InvalidInput

#: SP-API hosts per region, production and Amazon's own sandbox.
HOSTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
SANDBOX_HOSTS = {r: h.replace("https://", "https://sandbox.") for r, h in HOSTS.items()}
LWA_ENDPOINT = "https://api.amazon.com/auth/o2/token"


@dataclasses.dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country: str
    name: str
    currency: str
    region: str
    domain: str


MARKETPLACES = {m.marketplace_id: m for m in (
    Marketplace("ATVPDKIKX0DER", "US", "United States", "USD", "na", "amazon.com"),
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Canada", "CAD", "na", "amazon.ca"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Mexico", "MXN", "na", "amazon.com.mx"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Brazil", "BRL", "na", "amazon.com.br"),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Spain", "EUR", "eu", "amazon.es"),
    Marketplace("A1F83G8C2ARO7P", "GB", "United Kingdom", "GBP", "eu", "amazon.co.uk"),
    Marketplace("A13V1IB3VIYZZH", "FR", "France", "EUR", "eu", "amazon.fr"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Belgium", "EUR", "eu", "amazon.com.be"),
    Marketplace("A1805IZSGTT6HS", "NL", "Netherlands", "EUR", "eu", "amazon.nl"),
    Marketplace("A1PA6795UKMFR9", "DE", "Germany", "EUR", "eu", "amazon.de"),
    Marketplace("APJ6JRA9NG5V4", "IT", "Italy", "EUR", "eu", "amazon.it"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Sweden", "SEK", "eu", "amazon.se"),
    Marketplace("AE08WJ6YKNBMC", "ZA", "South Africa", "ZAR", "eu", "amazon.co.za"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Poland", "PLN", "eu", "amazon.pl"),
    Marketplace("ARBP9OOSHTCHU", "EG", "Egypt", "EGP", "eu", "amazon.eg"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Turkey", "TRY", "eu", "amazon.com.tr"),
    Marketplace("A17E79C6D8DWNP", "SA", "Saudi Arabia", "SAR", "eu", "amazon.sa"),
    Marketplace("A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "AED", "eu", "amazon.ae"),
    Marketplace("A21TJRUUN4KGV", "IN", "India", "INR", "eu", "amazon.in"),
    Marketplace("A28R8C7NBKEWEA", "IE", "Ireland", "EUR", "eu", "amazon.ie"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Singapore", "SGD", "fe", "amazon.sg"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Australia", "AUD", "fe", "amazon.com.au"),
    Marketplace("A1VC38T7YXB528", "JP", "Japan", "JPY", "fe", "amazon.co.jp"),
)}


def get(marketplace_id: str) -> Marketplace:
    try:
        return MARKETPLACES[marketplace_id]
    except KeyError:
        raise InvalidInput(f"unknown Amazon marketplace id '{marketplace_id}'",
                           {"path": "marketplace_id", "allowed": sorted(MARKETPLACES)}) from None
