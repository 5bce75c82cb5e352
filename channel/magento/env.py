"""Reads Magento's ``app/etc/env.php`` without PHP.

env.php returns a PHP array literal. We tokenize that literal (strings in both quote
styles, numbers, booleans, null, ``[]`` and ``array()``, ``=>``) and take the database
connection and table prefix from it, as Magento's ``ConfigOptionsListConstants`` names
them: ``db.connection.default.{host,dbname,username,password}``, ``db.table_prefix``.
Host may be ``name``, ``name:port`` or a socket path, as Magento's Pdo adapter accepts.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from channel.errors import ConfigurationError
from channel.db import mysql_url

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|//[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<sq>'(?:[^'\\]|\\.)*')
  | (?P<dq>"(?:[^"\\]|\\.)*")
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<arrow>=>)
  | (?P<punct>[\[\](),;])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str):
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ConfigurationError(f"env.php: unexpected text at offset {pos}: {text[pos:pos+20]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "ws":
            continue
        yield kind, m.group(kind)


def _unquote(kind: str, raw: str) -> str:
    body = raw[1:-1]
    if kind == "sq":
        return re.sub(r"\\([\\'])", r"\1", body)
    escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), body)


class _Parser:
    def __init__(self, text: str):
        self.toks = list(_tokens(text))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ConfigurationError(f"env.php: expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def value(self):
        kind, raw = self.take()
        if kind in ("sq", "dq"):
            return _unquote(kind, raw)
        if kind == "num":
            return float(raw) if "." in raw else int(raw)
        if kind == "punct" and raw == "[":
            return self.items("]")
        if kind == "word":
            low = raw.lower()
            if low == "array":
                self.take("(")
                return self.items(")")
            if low in ("true", "false"):
                return low == "true"
            if low == "null":
                return None
        raise ConfigurationError(f"env.php: unsupported value {raw!r}")

    def items(self, close: str):
        result: dict = {}
        auto = 0
        while self.peek()[1] != close:
            first = self.value()
            if self.peek()[0] == "arrow":
                self.take()
                result[first] = self.value()
            else:
                result[auto] = first
                auto += 1
            if self.peek()[1] == ",":
                self.take()
        self.take(close)
        return result


def parse_php_array(text: str) -> dict:
    """Parse ``<?php return [...];`` into a dict (lists become int-keyed dicts)."""
    text = re.sub(r"^\s*<\?php", "", text)
    parser = _Parser(text)
    kind, raw = parser.take()
    if raw != "return":
        raise ConfigurationError("env.php: expected 'return' followed by an array")
    data = parser.value()
    if not isinstance(data, dict):
        raise ConfigurationError("env.php: does not return an array")
    return data


@dataclasses.dataclass(frozen=True)
class MagentoEnv:
    host: str
    dbname: str
    username: str
    password: str
    table_prefix: str
    crypt_key: str

    def database_url(self) -> str:
        host, port, sock = self.host, None, None
        if "/" in host:
            sock, host = host, "localhost"
        elif ":" in host:
            host, p = host.split(":", 1)
            port = int(p)
        return mysql_url(
            user=self.username, password=self.password, database=self.dbname,
            host=host, port=port, unix_socket=sock,
        )


def read_env_php(path: Path | str) -> MagentoEnv:
    path = Path(path)
    try:
        data = parse_php_array(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from None
    try:
        conn = data["db"]["connection"]["default"]
    except (KeyError, TypeError):
        raise ConfigurationError(f"{path}: no db.connection.default section") from None
    crypt = data.get("crypt", {}).get("key", "") if isinstance(data.get("crypt"), dict) else ""
    return MagentoEnv(
        host=str(conn.get("host", "localhost")),
        dbname=str(conn.get("dbname", "")),
        username=str(conn.get("username", "")),
        password=str(conn.get("password", "") or ""),
        table_prefix=str(data["db"].get("table_prefix", "") or ""),
        crypt_key=str(crypt or ""),
    )
