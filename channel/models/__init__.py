"""Our ``channel_amazon_*`` tables, one module per aggregate (DDL lives in ``sql/``)."""

from channel.models.account import Account
from channel.models.listing import Listing, ListingChange
from channel.models.log import LogEntry
from channel.models.trend import Trend

__all__ = ["Account", "Listing", "ListingChange", "LogEntry", "Trend"]
