"""Private MariaDB, Redis and SQS (moto) processes for tests, the demo and benchmarks.

Never the system services and never fixed ports: each instance gets its own data
directory, socket and a free loopback port, and is stopped by whoever started it.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import MySQLdb
import redis

logger = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _which(*names: str) -> str:
    for name in names:
        for base in (None, "/usr/sbin", "/usr/bin"):
            path = shutil.which(name, path=base) if base else shutil.which(name)
            if path:
                return path
    raise FileNotFoundError(f"none of {names} found; run `make deps` to install MariaDB and Redis")


def _wait(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not start within {timeout:.0f}s")


class MariaDB:
    """A private ``mariadbd`` on its own datadir, socket and loopback port."""

    def __init__(self, base_dir: Path | str, port: int | None = None, own_session: bool = False,
                 buffer_pool: str = "512M"):
        self.base = Path(base_dir)
        #: InnoDB's buffer pool: small for tests and the demo, sized like a big store's for big benchmarks.
        self.buffer_pool = buffer_pool
        self.datadir = self.base / "data"
        self.socket = str(self.base / "mysqld.sock")
        self.port = port or free_port()
        #: In a session of its own, a Ctrl-C in the terminal does not reach it: whoever
        #: started it stops it in order (the demo).
        self.own_session = own_session
        self.proc: subprocess.Popen | None = None

    def start(self) -> "MariaDB":
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "tmp").mkdir(exist_ok=True)
        if not (self.datadir / "mysql").exists():
            subprocess.run(
                [_which("mariadb-install-db", "mysql_install_db"), "--no-defaults",
                 f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
                 "--user=root", "--skip-test-db"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                # Its bootstrap server's temporary tables go to $TMPDIR: in a shared /tmp,
                # two installs at once can take each other's (both fail with error 1051).
                env={**os.environ, "TMPDIR": str(self.base / "tmp")},
            )
        args = [
            _which("mariadbd", "mysqld"), "--no-defaults", f"--datadir={self.datadir}",
            f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
            "--user=root", f"--pid-file={self.base / 'mysqld.pid'}",
            f"--log-error={self.base / 'mysqld.err'}", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci", "--skip-name-resolve",
            f"--innodb-buffer-pool-size={self.buffer_pool}", "--innodb-flush-log-at-trx-commit=2",
            "--innodb-log-file-size=256M", "--max-connections=500",
            "--sql-mode=STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
            f"--tmpdir={self.base / 'tmp'}",  # its own: a /tmp cleaner must not pull temp tables away
        ]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=self.own_session)
        _wait(lambda: self.connect().close() or True, "MariaDB")
        logger.info("MariaDB started on %s (port %d)", self.socket, self.port)
        return self

    def connect(self, database: str | None = None, **kw) -> MySQLdb.Connection:
        kwargs = dict(unix_socket=self.socket, user="root", charset="utf8mb4", **kw)
        if database:
            kwargs["database"] = database
        return MySQLdb.connect(**kwargs)

    def create_database(self, name: str, drop: bool = True) -> str:
        conn = self.connect()
        try:
            cur = conn.cursor()
            if drop:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        finally:
            conn.close()
        return name

    def url(self, database: str) -> str:
        from channel.db import mysql_url

        return mysql_url(user="root", database=database, unix_socket=self.socket)

    def tcp_url(self, database: str) -> str:
        from channel.db import mysql_url

        return mysql_url(user="root", database=database, host="127.0.0.1", port=self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Redis:
    """A private ``redis-server`` on a loopback port, no persistence."""

    def __init__(self, base_dir: Path | str, port: int | None = None, own_session: bool = False,
                 buffer_pool: str = "512M"):
        self.base = Path(base_dir)
        #: InnoDB's buffer pool: small for tests and the demo, sized like a big store's for big benchmarks.
        self.buffer_pool = buffer_pool
        self.port = port or free_port()
        self.own_session = own_session
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        self.base.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [_which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.base), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--logfile", str(self.base / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=self.own_session,
        )
        _wait(lambda: self.client().ping(), "Redis")
        logger.info("Redis started on port %d", self.port)
        return self

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Sqs:
    """A private Amazon SQS API: ``moto`` in server mode on a loopback port.

    The queue Amazon's notifications are delivered to, served locally with SQS's own
    wire protocol, so the worker's boto3 code is the code that runs against AWS. State
    lives in the process only; each instance starts empty."""

    #: Credentials and region moto accepts (it checks none); never real ones.
    REGION = "us-east-1"
    ACCOUNT = "123456789012"

    def __init__(self, base_dir: Path | str, port: int | None = None, own_session: bool = False):
        self.base = Path(base_dir)
        self.port = port or free_port()
        self.own_session = own_session
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Sqs":
        import sys

        self.base.mkdir(parents=True, exist_ok=True)
        log = open(self.base / "moto.log", "ab")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=self.own_session,
                env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"})
        finally:
            log.close()
        _wait(lambda: self.client().list_queues() is not None, "SQS (moto)")
        logger.info("SQS (moto) started on port %d", self.port)
        return self

    def client(self):
        """A boto3 SQS client for this server."""
        import boto3

        return boto3.client("sqs", endpoint_url=self.url, region_name=self.REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing")

    def create_queue(self, name: str) -> tuple[str, str]:
        """(queue URL, queue ARN) of a new standard queue."""
        client = self.client()
        url = client.create_queue(QueueName=name)["QueueUrl"]
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def base_dir(name: str) -> Path:
    """A short path for sockets (unix socket paths are limited to ~100 bytes)."""
    root = Path(os.environ.get("CHANNEL_VAR_DIR", "/tmp"))
    path = root / f"channel-{name}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path
