import json as jsonlib
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from sqlalchemy import text

from bridge import create_app
from bridge.auth import ALL_GRANTS
from bridge.signing import signed_headers
from channel.crypto import new_key
from channel.settings import Settings

SECRET = "bridge-test-secret-9f2c4e7a1b6d8035e2c9a7f4"
KEY = new_key()


@pytest.fixture
def app(channel_db, redis_server, redis_client):
    settings = Settings(database_url=channel_db.url, redis_url=redis_server.url, bridge_secret=SECRET,
                        encryption_key=KEY, table_prefix=channel_db.prefix)
    application = create_app(settings, TESTING=True)
    yield application
    with application.app_context():
        from bridge import db
        db.engine.dispose()


class SignedClient:
    """Signs every request as the Magento module does."""

    def __init__(self, client, grants=ALL_GRANTS, user="admin"):
        self.client = client
        self.grants = grants
        self.user = user

    def open(self, method, url, json=None, headers=None, grants=None, **kw):
        parts = urlsplit(url)
        body = jsonlib.dumps(json).encode() if json is not None else b""
        h = signed_headers(SECRET, method, unquote(parts.path), parse_qsl(parts.query, keep_blank_values=True), body,
                           user=self.user, grants=self.grants if grants is None else grants)
        h.update(headers or {})
        if json is not None:
            h["Content-Type"] = "application/json"
        return self.client.open(url, method=method, data=body, headers=h, **kw)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.open("POST", url, json=json if json is not None else {}, **kw)

    def put(self, url, json=None, **kw):
        return self.open("PUT", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self.open("PATCH", url, json=json, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)


@pytest.fixture
def api(app):
    return SignedClient(app.test_client())


ACCOUNT = {"name": "US store", "marketplace_id": "ATVPDKIKX0DER", "seller_id": "A1SELLER", "website_id": 1,
           "lwa_client_id": "amzn1.application-oa2-client.abc", "lwa_client_secret": "amzn1.oa2-cs.v1.PLANTED-SECRET",
           "refresh_token": "Atzr|PLANTED-REFRESH-TOKEN"}


@pytest.fixture
def account_id(api):
    resp = api.post("/api/v1/accounts", json=ACCOUNT)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["account_id"]


@pytest.fixture
def listed(channel_db, account_id):
    """Classified listings for the account: the generated catalog plus two Amazon listings."""
    from channel.classification import classify_account
    from channel.magento.catalog import CatalogReader
    from channel.matching import match_account
    from channel.models import Account
    from sqlalchemy.orm import Session

    with channel_db.engine.begin() as conn:
        for sku, status in (("MG-0000001", "BUYABLE"), ("LEGACY-1", "BUYABLE")):
            conn.execute(text("INSERT INTO channel_amazon_listing (account_id, seller_sku, asin, match_status, tab,"
                              " reason, amazon_status) VALUES (:a, :s, 'B0X', 'third_party', 'new_third_party',"
                              " 'third_party_unmatched', :st)"), {"a": account_id, "s": sku, "st": status})
        with Session(bind=conn) as session:
            acc = session.get(Account, account_id)
            acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc"}
            reader = CatalogReader.connect(conn, channel_db.prefix)
            match_account(conn, reader, acc)
            classify_account(conn, reader, acc)
    return account_id
