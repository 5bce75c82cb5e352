"""The demo's plumbing without a terminal: its arguments, one directory per running
demo (so two side by side share no ports, data or login cookie), what is cleaned and
what --keep keeps, a login link that lasts, and Ctrl-C ending it with exit 0."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sandbox import demo
from sandbox.localservices import Redis

ROOT = Path(__file__).resolve().parents[2]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_demo_arguments():
    args = demo.build_parser().parse_args(["-n", "20000", "--keep"])
    assert (args.products, args.keep, args.no_wait) == (20000, True, False)
    assert demo.build_parser().parse_args([]).products == 2000
    with pytest.raises(SystemExit):
        demo.build_parser().parse_args(["-n", "0"])


def test_two_demos_get_their_own_directory_ports_and_cookie(tmp_path):
    first = demo.claim_slot(tmp_path, pid=os.getpid())
    second = demo.claim_slot(tmp_path, pid=os.getppid())
    assert (first.base, second.base) == (tmp_path / "demo", tmp_path / "demo-2")
    assert first.cookie_name != second.cookie_name
    one = Redis(first.base / "redis", own_session=True).start()
    two = Redis(second.base / "redis", own_session=True).start()
    try:
        assert one.port != two.port
        one.client().set("channel:demo:probe", "first")
        assert two.client().get("channel:demo:probe") is None  # no cross-talk
    finally:
        one.stop()
        two.stop()
    demo.release_slot(first, pid=os.getpid())
    assert demo.claim_slot(tmp_path, pid=os.getpid()).base == first.base  # free again once released


def test_a_stale_claim_is_taken_over_and_a_running_mariadb_is_respected(tmp_path):
    stale = tmp_path / "demo"
    stale.mkdir()
    (stale / demo.PID_FILE).write_text(str(_dead_pid()))
    assert demo.claim_slot(tmp_path, pid=os.getpid()).base == stale
    older = tmp_path / "demo-2"  # a demo of an earlier version: no claim, but its MariaDB runs
    (older / "mariadb").mkdir(parents=True)
    (older / "mariadb" / "mysqld.pid").write_text(str(os.getppid()))
    assert demo.in_use(older)
    assert demo.claim_slot(tmp_path, pid=os.getpid()).base == tmp_path / "demo-3"


def test_var_is_cleaned_of_idle_demos_but_not_of_kept_or_running_ones(tmp_path):
    ours = demo.claim_slot(tmp_path, pid=os.getpid())
    idle, kept, running = tmp_path / "demo-2", tmp_path / "demo-3", tmp_path / "demo-4"
    for path in (idle, kept, running):
        (path / "mariadb" / "data").mkdir(parents=True)
    demo.save_state(kept, {"keep": True})
    (running / demo.PID_FILE).write_text(str(os.getppid()))
    assert demo.clean_var(tmp_path, ours) == [idle]
    assert kept.exists() and running.exists() and ours.base.exists()


def test_without_keep_only_the_logs_stay(tmp_path):
    for name in ("mariadb/data", "redis", "logs"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "logs" / "worker-0.log").write_text("ok")
    (tmp_path / "sandbox-seed.json").write_text("{}")
    demo.save_state(tmp_path, {"encryption_key": "k"})
    demo.drop_data(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs"]


def test_the_login_link_is_kept_while_it_has_time_left():
    state = demo.login({}, now=1000)
    token, session = state["login_token"], state["session"]
    assert state["login_expires"] == 1000 + demo.LOGIN_LIFETIME
    later = demo.login(dict(state), now=state["login_expires"] - demo.LOGIN_MIN_LEFT - 1)
    assert (later["login_token"], later["session"]) == (token, session)
    renewed = demo.login(dict(state), now=state["login_expires"] - 10)
    assert renewed["login_token"] != token and renewed["session"] == session


def test_the_demo_login_link_works_again_until_it_expires_and_the_cookie_lasts():
    from sandbox.demo_server import build_app
    from channel.crypto import new_key
    from channel.settings import Settings

    clock = [1000.0]
    settings = Settings(database_url="mysql+mysqldb://root@localhost/none", encryption_key=new_key(),
                        bridge_secret=demo.DEMO_SECRET, standalone=True)
    app = build_app(settings, "tok", 5000.0, "sess", "channel_demo_7", now=lambda: clock[0])
    first, second = app.test_client(), app.test_client()
    for client in (first, second):  # a second browser, or the same after a restart
        resp = client.get("/ui/login?token=tok")
        assert resp.status_code == 302
        cookie = resp.headers["Set-Cookie"]
        assert cookie.startswith("channel_demo_7=") and "Expires=" in cookie
    assert first.get("/ui/login?token=wrong").status_code == 403
    clock[0] = 5001.0
    assert first.get("/ui/login?token=tok").status_code == 403


def test_ctrl_c_stops_the_demo_with_exit_0_and_no_traceback(tmp_path):
    script = textwrap.dedent(f"""
        import os, signal, threading, time
        from pathlib import Path
        from sandbox import demo

        def fake_run(slot, products, keep, wait):
            (slot.base / "mariadb").mkdir(parents=True)
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
            try:
                time.sleep(10)
            except demo.Stop:
                print("stopping in order")
                return 0
            return 3

        demo._run = fake_run
        raise SystemExit(demo.run_demo(products=10, var=Path({str(tmp_path)!r})))
    """)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "stopping in order" in proc.stdout
    assert time.monotonic() - started < 8
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == []  # claim released, data dropped
