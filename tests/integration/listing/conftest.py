import pytest
from sqlalchemy import text

from channel.crypto import Vault, new_key
from channel.models import Account

KEY = new_key()


@pytest.fixture
def vault():
    return Vault(KEY)


@pytest.fixture
def account(channel_db, vault):
    """An active account on website 1 (Main Website) of the generated catalog."""
    from sqlalchemy.orm import Session

    with Session(channel_db.engine) as session:
        acc = Account(name="US store", region="na", marketplace_id="ATVPDKIKX0DER", seller_id="A1SELLER",
                      lwa_client_id="amzn1.application-oa2-client.x", website_id=1,
                      lwa_client_secret_enc="", refresh_token_enc="")
        acc.set_credentials(vault, client_secret="amzn1.oa2-cs.v1.SECRET", refresh_token="Atzr|REFRESH")
        acc.identifier_mapping = {"seller_sku": "sku", "asin": "amazon_asin", "upc": "upc", "ean": "ean",
                                  "isbn": "isbn"}
        session.add(acc)
        session.commit()
        session.refresh(acc)
        session.expunge(acc)
    return acc


@pytest.fixture
def twin(channel_db, account):
    """A second account on the same website with the same identifier mapping."""
    from sqlalchemy.orm import Session

    with Session(channel_db.engine) as session:
        acc = Account(name="Twin", region="na", marketplace_id="A2EUQ1WTGCTBG2", seller_id="A1SELLER",
                      lwa_client_id="x", website_id=1, lwa_client_secret_enc="", refresh_token_enc="",
                      identifier_mapping=account.identifier_mapping)
        session.add(acc)
        session.commit()
        session.refresh(acc)
        session.expunge(acc)
    return acc


def add_amazon_listing(conn, account, seller_sku, asin=None, external_id=None, external_id_type=None,
                       status="BUYABLE"):
    conn.execute(text(
        "INSERT INTO channel_amazon_listing (account_id, seller_sku, asin, external_id, external_id_type,"
        " match_status, tab, reason, amazon_status) VALUES (:a, :s, :asin, :e, :t, 'third_party',"
        " 'new_third_party', 'third_party_unmatched', :st)"),
        {"a": account.account_id, "s": seller_sku, "asin": asin, "e": external_id, "t": external_id_type,
         "st": status})
    return conn.execute(text("SELECT listing_id FROM channel_amazon_listing WHERE account_id = :a"
                             " AND seller_sku = :s"), {"a": account.account_id, "s": seller_sku}).scalar()
