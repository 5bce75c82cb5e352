"""Many patchListingsItem calls with a few in flight.

Amazon allows 5 patches per second (burst 5). Sent one after the other, every call's
network time (tens of milliseconds to Amazon) is time the rate budget idles; with
``IN_FLIGHT`` calls on the network at once, the next call already holds its token when
one answers, and the shared bucket (``worker.amazon.throttle``) keeps the pace.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from worker.amazon import listings
from worker.amazon.errors import AmazonError

#: Calls on the network at once.
IN_FLIGHT = 3


def patch_items(client, patches: Iterable[tuple[Any, str, dict]], in_flight: int = IN_FLIGHT,
                product_type: str = listings.PRODUCT_TYPE) -> Iterator[tuple[Any, dict | AmazonError]]:
    """``listings.patch_item`` for many SKUs, ``in_flight`` calls at once. ``patches``:
    (key, sku, attributes). Yields (key, Amazon's answer or the ``AmazonError`` it raised)
    in the order given, so the caller records each outcome itself, in order. When the
    caller stops early, the calls already sent finish and nothing more is sent."""
    if in_flight < 1:
        raise ValueError("in_flight must be at least 1")

    def one(sku: str, attributes: dict):
        try:
            return listings.patch_item(client, sku, attributes, product_type)
        except AmazonError as exc:
            return exc

    pool = ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="patch")
    pending: deque = deque()
    try:
        for key, sku, attributes in patches:
            pending.append((key, pool.submit(one, sku, attributes)))
            if len(pending) >= in_flight:
                key, future = pending.popleft()
                yield key, future.result()
        while pending:
            key, future = pending.popleft()
            yield key, future.result()
    finally:
        for _, future in pending:
            future.cancel()  # not sent yet: never sent
        pool.shutdown(wait=True)
