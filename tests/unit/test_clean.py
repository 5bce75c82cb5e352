"""``make clean``: the demos running from .var stopped (their parts too) before their data
goes; unused chn-* temp directories and the tools' caches removed; committed results,
.venv, busy temp directories and anything outside left alone."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import clean

ROOT = Path(__file__).resolve().parents[2]

FAKE_DEMO = """
import pathlib, signal, subprocess, sys, time
base = pathlib.Path(sys.argv[2])
def stop(*_):
    (base.parent.parent / "stopped-in-order").write_text("yes")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
(base / "ready").write_text("1")
while True:
    time.sleep(0.1)
"""


def _spawn(*args, cwd=None):
    return subprocess.Popen([sys.executable, *args], cwd=cwd, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(path: Path):
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, path
        time.sleep(0.05)


@pytest.fixture
def procs():
    started = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "bench").mkdir(parents=True)
    (root / "bench" / "results.json").write_text("{}")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / "channel" / "__pycache__").mkdir(parents=True)
    (root / "channel" / "core.py").write_text("x = 1\n")
    (root / ".pytest_cache").mkdir()
    return root


def test_a_running_demo_is_stopped_then_its_data_removed(tmp_path, procs):
    root = _project(tmp_path)
    base = root / ".var" / "demo"
    (base / "mariadb").mkdir(parents=True)
    demo = _spawn("-c", FAKE_DEMO, "sandbox.demo", str(base))
    procs.append(demo)
    _wait_for(base / "ready")
    (base / "demo.pid").write_text(str(demo.pid))
    # A part left over from an earlier demo that was killed: it names the directory.
    part = _spawn("-c", "import time\nwhile True: time.sleep(0.1)", str(base / "redis" / "redis.sock"))
    procs.append(part)
    removed = clean.clean(root=root, temp=tmp_path / "no-temp", say=lambda _: None, wait=10)
    assert demo.wait(timeout=10) == 0 and (root / "stopped-in-order").read_text() == "yes"  # SIGTERM, in order
    assert part.wait(timeout=10) is not None
    assert not (root / ".var").exists() and root / ".var" in removed
    assert not (root / ".pytest_cache").exists() and not (root / "channel" / "__pycache__").exists()
    assert (root / "bench" / "results.json").read_text() == "{}"  # committed results stay
    assert (root / ".venv" / "bin").is_dir() and (root / "channel" / "core.py").exists()


def test_a_pid_file_naming_another_program_does_not_get_it_killed(tmp_path, procs):
    root = _project(tmp_path)
    base = root / ".var" / "demo"
    base.mkdir(parents=True)
    stranger = _spawn("-c", "import time\nwhile True: time.sleep(0.1)")  # a recycled pid, not a demo
    procs.append(stranger)
    (base / "demo.pid").write_text(str(stranger.pid))
    clean.clean(root=root, temp=tmp_path / "no-temp", say=lambda _: None, wait=5)
    assert stranger.poll() is None
    assert not (root / ".var").exists()


def test_only_unused_chn_temp_directories_of_this_user_go(tmp_path, procs):
    temp = tmp_path / "tmp"
    temp.mkdir()
    old = temp / "chn-bench-old"
    (old / "db").mkdir(parents=True)
    (old / "db" / "mysqld.pid").write_text("999999999")  # its process is gone
    live = temp / "chn-running"
    (live / "redis").mkdir(parents=True)
    sleeper = _spawn("-c", "import time\nwhile True: time.sleep(0.1)")
    procs.append(sleeper)
    (live / "redis" / "redis.pid").write_text(str(sleeper.pid))
    busy = temp / "chn-seed-busy"
    busy.mkdir()
    worker = _spawn("-c", "import time\nwhile True: time.sleep(0.1)", cwd=busy)
    procs.append(worker)
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    (temp / "chn-link").symlink_to(outside)
    (temp / "not-ours").mkdir()
    (temp / "chn-file").write_text("a file, not a directory")
    time.sleep(0.3)
    assert clean.temp_dirs(temp) == [old]
    clean.clean(root=_project(tmp_path), temp=temp, say=lambda _: None, wait=5)
    assert not old.exists()
    assert live.is_dir() and busy.is_dir() and (temp / "not-ours").is_dir() and (temp / "chn-file").exists()
    assert (outside / "keep.txt").read_text() == "mine" and (temp / "chn-link").is_symlink()
    assert sleeper.poll() is None and worker.poll() is None  # clean stops demos only


def test_make_clean_dry_run_says_and_removes_nothing(tmp_path):
    var = ROOT / ".var"
    existed = var.exists()
    proc = subprocess.run(["make", "-s", "clean", "CLEAN_ARGS=--dry-run"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert var.exists() == existed
    assert all(line.startswith("would remove ") for line in proc.stdout.splitlines())
    assert (ROOT / "bench" / "results.json").exists()
    assert not any("bench/" in line or ".venv" in line for line in proc.stdout.splitlines())
