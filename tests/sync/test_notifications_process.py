"""The notifications reader as it is deployed: one supervisord program, one compose service,
started by the demo, and a process that stops cleanly on supervisord's SIGTERM."""

import configparser
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_supervisord_and_compose_run_exactly_one_notifications_reader():
    conf = configparser.RawConfigParser(strict=False)
    conf.read(ROOT / "docker" / "supervisord" / "channel.conf")
    program = conf["program:notifications"]
    assert program["command"].endswith("/bin/python -m worker.notifications")
    assert (program["numprocs"], program["autostart"], program["autorestart"], program["stopsignal"]) == (
        "1", "true", "true", "TERM")
    service = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]["notifications"]
    assert service["command"] == ["python", "-m", "worker.notifications"]
    assert "replicas" not in (service.get("deploy") or {})
    assert "CHANNEL_SQS_ENDPOINT" in service["environment"]
    demo = (ROOT / "sandbox" / "demo.py").read_text()
    assert '"-m", "worker.notifications"' in demo


def test_the_reader_idles_without_subscriptions_and_stops_on_sigterm(mariadb, make_database, redis_server):
    from channel.crypto import new_key
    from channel.db import make_engine
    from channel.migrations import upgrade

    url = mariadb.url(make_database("notif"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = dict(os.environ, CHANNEL_DATABASE_URL=url, CHANNEL_REDIS_URL=redis_server.url,
               CHANNEL_ENCRYPTION_KEY=new_key(), CHANNEL_BRIDGE_SECRET="notifications-secret-7c2e9a41d5b8f036")
    proc = subprocess.Popen([sys.executable, "-m", "worker.notifications", "--wait", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(3)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # nothing subscribed: it waits
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 10  # well within supervisord's stopwaitsecs (30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
