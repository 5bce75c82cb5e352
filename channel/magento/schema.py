"""Magento's table names for an install: the table prefix and the product shape.

Open Source keys product value tables by ``entity_id``; Adobe Commerce (content
staging) by ``row_id``, with ``created_in``/``updated_in`` versions on
``catalog_product_entity`` and the version in force in ``flag`` (``flag_code='staging'``).
Everything outside the product tables keys products by ``entity_id`` or ``sku`` in both.
"""

from __future__ import annotations

import dataclasses
import json
import time

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

OPEN_SOURCE = "opensource"
COMMERCE = "commerce"
SHAPES = (OPEN_SOURCE, COMMERCE)
#: Staging's upper bound (``VersionManager::MAX_VERSION``).
MAX_VERSION = 2147483647
VALUE_TYPES = ("varchar", "int", "decimal", "text", "datetime")


@dataclasses.dataclass(frozen=True)
class MagentoSchema:
    prefix: str = ""
    shape: str = OPEN_SOURCE

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown Magento shape {self.shape!r}")
        if not all(c.isalnum() or c == "_" for c in self.prefix):
            raise ValueError("table prefix may hold letters, digits and '_' only")

    def t(self, name: str) -> str:
        """The quoted, prefixed name of Magento table ``name``."""
        return f"`{self.prefix}{name}`"

    @property
    def is_commerce(self) -> bool:
        return self.shape == COMMERCE

    @property
    def link(self) -> str:
        """The column product value tables join on."""
        return "row_id" if self.is_commerce else "entity_id"

    def value_table(self, backend_type: str) -> str:
        if backend_type not in VALUE_TYPES:
            raise ValueError(f"no value table for backend type {backend_type!r}")
        return self.t(f"catalog_product_entity_{backend_type}")

    @classmethod
    def detect(cls, conn: Connection, prefix: str = "") -> "MagentoSchema":
        """Open Source or Commerce, by whether ``catalog_product_entity.row_id`` exists."""
        found = conn.execute(
            text(
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()"
                " AND table_name = :t AND column_name = 'row_id'"
            ),
            {"t": f"{prefix}catalog_product_entity"},
        ).scalar()
        return cls(prefix=prefix, shape=COMMERCE if found else OPEN_SOURCE)

    def current_version(self, conn: Connection) -> int:
        """The staging version in force (Commerce), else 1."""
        if not self.is_commerce:
            return 1
        raw = conn.execute(
            text(f"SELECT flag_data FROM {self.t('flag')} WHERE flag_code = 'staging'")
        ).scalar()
        if raw:
            try:
                return int(json.loads(raw)["current_version"])
            except (ValueError, KeyError, TypeError):
                pass
        return int(time.time())


def int_filter(column: str, keys: list[int]) -> str:
    """``key_filter`` with the integer keys written into the SQL (no parameters): for the
    driver's own cursor. Rows of a range that are not in ``keys`` must be skipped."""
    if not keys:
        return "1 = 0"
    ints = [int(k) for k in keys]
    low, high = min(ints), max(ints)
    if high - low < 4 * len(ints) + 64:
        return f"{column} BETWEEN {low} AND {high}"
    return f"{column} IN ({', '.join(map(str, ints))})"


def key_filter(column: str, name: str, keys: list[int]) -> tuple[str, dict, list]:
    """A WHERE fragment selecting rows whose integer ``column`` is one of ``keys``: one index
    range when the keys are dense (a batch of products in id order), else an IN list.
    Rows of the range that are not in ``keys`` must be skipped by the caller."""
    if not keys:
        return "1 = 0", {}, []
    low, high = min(keys), max(keys)
    if high - low < 4 * len(keys) + 64:
        return f"{column} BETWEEN :{name}_low AND :{name}_high", {f"{name}_low": low, f"{name}_high": high}, []
    return f"{column} IN :{name}", {name: keys}, [bindparam(name, expanding=True)]
