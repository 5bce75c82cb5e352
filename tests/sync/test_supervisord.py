"""docker/supervisord/channel.conf keeps the workers up: a SIGKILLed worker is replaced."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "docker" / "supervisord" / "channel.conf"


def ctl(env, *args):
    return subprocess.run(["supervisorctl", "-c", str(CONF), *args], env=env, capture_output=True, text=True,
                          timeout=30)


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not reached in time")


@pytest.mark.skipif(shutil.which("supervisord") is None, reason="supervisord is not installed (make deps)")
def test_sigkilled_worker_is_replaced(tmp_path, mariadb, make_database, redis_server):
    from channel.crypto import new_key
    from channel.db import make_engine
    from sandbox.localservices import free_port
    from channel.migrations import upgrade

    url = mariadb.url(make_database("sup"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    env = dict(os.environ, VENV=str(Path(sys.executable).parent.parent), CHANNEL_RUN_DIR=str(tmp_path),
               CHANNEL_DATABASE_URL=url, CHANNEL_REDIS_URL=redis_server.url, CHANNEL_BRIDGE_SECRET="supervisord-secret-3b8e1f6c9a2d7054", CHANNEL_ENCRYPTION_KEY=new_key(),
               CHANNEL_BRIDGE_BIND=f"127.0.0.1:{free_port()}")
    proc = subprocess.Popen(["supervisord", "-n", "-c", str(CONF)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        def running():
            out = ctl(env, "status").stdout
            return out.count("RUNNING") >= 4 and out
        status = wait_for(running)
        assert "bridge" in status and "cron" in status
        old = int(ctl(env, "pid", "worker:worker_00").stdout.strip())
        os.kill(old, signal.SIGKILL)

        def replaced():
            pid = ctl(env, "pid", "worker:worker_00").stdout.strip()
            return pid.isdigit() and int(pid) not in (0, old) and "RUNNING" in ctl(env, "status", "worker:worker_00").stdout
        wait_for(replaced)
    finally:
        ctl(env, "shutdown")
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
