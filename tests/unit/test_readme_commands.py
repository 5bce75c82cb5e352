"""Every command the README gives works as written: the two at the top, the ones in its
code blocks and in its inline code. Each command found is either run here (the quick
ones) or named below with why it is not (it takes minutes, runs until Ctrl-C or rewrites
committed results); a command the README gains without being sorted fails the test."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
STARTS = ("make ", "python ", "bash ", "supervisord ", "gunicorn ")

#: Not run here, and why.
SKIPPED = {
    "make demo": "runs the whole product until Ctrl-C (minutes to build; tests/unit/test_demo.py covers its parts)",
    'make demo DEMO_ARGS="-n 20000"': "a 20,000-product demo: minutes",
    "python -m sandbox.demo": "the demo itself (as make demo)",
    "python -m channel demo": "the demo itself (as make demo); its --help is run",
    "make test": "the whole suite: many minutes",
    "make test PYTEST_WORKERS=1": "the whole suite in one process: half an hour",
    "make soak": "the soak test: minutes of SIGKILL trials",
    "make bench": "the benchmarks at full size: tens of minutes, rewrites bench/results.json",
    "make faults": "the fault matrix: minutes, rewrites bench/faults.json",
    "make security": "the live security checks: minutes, rewrites bench/security.json",
    "python -m bench faults": "the fault matrix: minutes, rewrites bench/faults.json",
    "python -m bench security": "the live security checks: minutes, rewrites bench/security.json",
    "python -m bench --quick": "every scenario at small sizes: minutes, rewrites bench/results.json",
    "python -m bench --only NAME --size N": "a template (NAME, N); runs a benchmark and rewrites bench/results.json",
    "python -m bench --only repricing --size 10000": "a benchmark: minutes, rewrites bench/results.json",
    "python -m channel rotate-key": "re-encrypts a live database's secrets (tests/unit/test_key_rotation*.py)",
    "python -m channel rotate-key --to NEW": "a template (NEW is the new key)",
    "python -m worker": "a worker runs until stopped",
    "supervisord -c docker/supervisord/channel.conf": "starts the production processes and keeps them running",
}


def readme_commands() -> list[str]:
    found: list[str] = []
    for block in re.findall(r"```(?:sh|bash|console)?\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(STARTS):
                found.append(line)
    for span in re.findall(r"`([^`\n]+)`", README):
        if span.startswith(STARTS):
            found.append(span.strip())
    return list(dict.fromkeys(found))


def test_every_readme_command_is_run_or_named_with_why_not():
    commands = readme_commands()
    assert "make demo" in commands and "make test" in commands  # the two at the top
    unsorted = [c for c in commands if c not in SKIPPED and not _runnable(c)]
    assert not unsorted, f"README commands neither run by this test nor listed as skipped: {unsorted}"


def _runnable(command: str) -> bool:
    return command.startswith(("python -c ", "python -m channel db ")) or command.endswith("--help")


def _run(command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    argv = shlex.split(command)
    if argv[0] == "python":
        argv[0] = sys.executable
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


QUICK = [c for c in readme_commands() if c not in SKIPPED and _runnable(c)
         and not c.startswith("python -m channel db ")]


@pytest.mark.parametrize("command", QUICK)
def test_the_quick_readme_commands_work_as_written(command):
    proc = _run(command)
    assert proc.returncode == 0, (command, proc.stderr[-2000:])
    assert proc.stdout.strip(), command


def test_the_readme_names_the_demo_through_channel_and_it_delegates():
    assert "python -m channel demo --help" in readme_commands()
    proc = _run("python -m channel demo --help")
    assert proc.returncode == 0 and "python -m sandbox.demo" in proc.stdout and "--keep" in proc.stdout


def test_the_key_commands_print_keys_the_product_accepts():
    from channel.crypto import check_bridge_secret, check_encryption_key

    key = [c for c in readme_commands() if "new_key()" in c]
    secret = [c for c in readme_commands() if "token_urlsafe" in c]
    assert key and secret
    check_encryption_key(_run(key[0]).stdout.strip())  # raises on a key the product refuses
    check_bridge_secret(_run(secret[0]).stdout.strip())


@pytest.mark.parametrize("magento", [("opensource", "")], indirect=True, ids=["opensource"])
def test_db_upgrade_then_status_as_written(magento):
    commands = [c for c in readme_commands() if c.startswith("python -m channel db ")]
    assert commands == ["python -m channel db upgrade", "python -m channel db status"]
    env = {"CHANNEL_DATABASE_URL": magento.url, "CHANNEL_TABLE_PREFIX": magento.prefix}
    first = _run(commands[0], env)
    assert first.returncode == 0 and first.stdout.startswith("applied "), first.stderr[-2000:]
    again = _run(commands[0], env)
    assert again.returncode == 0 and "schema is up to date" in again.stdout
    status = _run(commands[1], env)
    lines = status.stdout.splitlines()
    assert status.returncode == 0 and lines and all(line.endswith(": applied") for line in lines), status.stdout


def _checkout(tmp_path, demo_body: str) -> Path:
    (tmp_path / "sandbox").mkdir()
    (tmp_path / "sandbox" / "__init__.py").write_text("")
    (tmp_path / "sandbox" / "demo.py").write_text(demo_body)
    return tmp_path


def test_channel_demo_passes_the_arguments_and_the_exit_code(tmp_path, capfd):
    from channel.__main__ import run_demo

    checkout = _checkout(tmp_path, "import sys\nprint('demo got', sys.argv[1:])\nsys.exit(3)\n")
    assert run_demo(["-n", "20", "--keep"], checkout) == 3
    assert "demo got ['-n', '20', '--keep']" in capfd.readouterr().out


def test_channel_demo_stopped_by_ctrl_c_exits_0(tmp_path):
    from channel.__main__ import run_demo

    checkout = _checkout(tmp_path, "import os, signal\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\n"
                                   "os.kill(os.getpid(), signal.SIGINT)\n")
    assert run_demo([], checkout) == 0


def test_channel_demo_without_the_sandbox_says_where_the_demo_ships(tmp_path, capsys):
    from channel.__main__ import run_demo

    assert run_demo(["--help"], tmp_path) == 2
    err = capsys.readouterr().err
    assert "ships with the source checkout" in err and "make demo" in err
