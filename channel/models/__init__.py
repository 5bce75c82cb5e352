"""ORM models of our ``channel_amazon_*`` tables, mapped on their Core definitions in
``channel.tables`` (DDL lives in ``sql/``)."""

from channel.models.account import Account

__all__ = ["Account"]
