"""``make clean`` (``python -m sandbox.clean [--dry-run]``): removes what the demo, the
tests and the benchmarks leave behind, and nothing else.

- Each demo directory under ``.var`` (``demo``, ``demo-2``...): a demo still running
  there (its ``demo.pid`` names a live ``sandbox.demo`` process) is stopped with SIGTERM,
  which stops its parts in order; parts left over from a demo that was killed (its
  MariaDB by ``mysqld.pid``, any process whose command line or environment names the
  directory) are stopped too. Then ``.var`` goes.
- The temporary directories the tests and benchmarks make under the system's temp
  directory, named ``chn-*``: only the current user's, only real directories (no
  symlinks), and only those no live process still uses (a live pid file inside, or a
  process with a file, its working directory or its command line there); a test run
  going on meanwhile keeps its own.
- Caches the tools make at the top of the checkout (``.pytest_cache``, ``.ruff_cache``,
  ``.mypy_cache``, ``.hypothesis``) and ``__pycache__`` under the project's packages.

Never touched: ``.venv``, committed files (``bench/*.json`` are committed results), or
anything outside the checkout and ``chn-*`` temp directories.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMP_PREFIX = "chn-"
CACHES = (".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis")
PACKAGES = ("channel", "bridge", "worker", "sandbox", "bench", "tests")
#: How long a demo gets to stop its parts in order after SIGTERM.
STOP_WAIT = 60.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _pid_in(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return None
    return pid if pid > 1 else None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _own_pids() -> list[int]:
    uid, me = os.getuid(), os.getpid()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in (me, os.getppid()):
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _uses(pid: int, path: Path) -> bool:
    """The process has ``path`` in its command line or environment, or a file or its cwd there."""
    text = str(path)
    if text in _cmdline(pid):
        return True
    proc = Path(f"/proc/{pid}")
    try:
        if text.encode() in (proc / "environ").read_bytes():
            return True
    except OSError:
        pass
    try:
        links = [proc / "cwd", *(proc / "fd").iterdir()]
    except OSError:
        return False
    for link in links:
        try:
            target = os.readlink(link)
        except OSError:
            continue
        if target == text or target.startswith(text + "/"):
            return True
    return False


def _stop(pids: list[int], wait: float, say) -> None:
    for pid in pids:
        say(f"stopping process {pid} ({_cmdline(pid)[:80].strip()})")
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            say(f"process {pid} did not stop in {wait:.0f} s; killing it")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def stop_demos(var: Path, say=print, wait: float = STOP_WAIT) -> list[int]:
    """Stop what runs from the demo directories under ``var``: the demos, then any part left."""
    if not var.is_dir():
        return []
    stopped: list[int] = []
    for base in sorted(p for p in var.iterdir() if p.is_dir() and not p.is_symlink()):
        demo = _pid_in(base / "demo.pid")
        if demo and _alive(demo) and "sandbox.demo" in _cmdline(demo):
            _stop([demo], wait, say)  # it stops its parts in order
            stopped.append(demo)
        leftovers = [pid for pid in _own_pids() if _alive(pid) and _uses(pid, base.resolve())]
        mysqld = _pid_in(base / "mariadb" / "mysqld.pid")
        if mysqld and _alive(mysqld) and mysqld not in leftovers and str(base.resolve()) in _cmdline(mysqld):
            leftovers.append(mysqld)
        if leftovers:
            _stop(leftovers, min(wait, 20.0), say)
            stopped.extend(leftovers)
    return stopped


def temp_dirs(temp: Path | None = None) -> list[Path]:
    """The current user's ``chn-*`` directories in the temp directory that nothing uses now."""
    temp = Path(temp or tempfile.gettempdir())
    uid = os.getuid()
    pids = [p for p in _own_pids() if _alive(p)]
    found = []
    for path in sorted(temp.glob(TEMP_PREFIX + "*")):
        try:
            st = path.lstat()
        except OSError:
            continue
        if path.is_symlink() or not path.is_dir() or st.st_uid != uid or path.parent.resolve() != temp.resolve():
            continue
        if any(_alive(pid) for pid in filter(None, (_pid_in(f) for f in _pid_files(path)))):
            continue
        if any(_uses(pid, path.resolve()) for pid in pids):
            continue
        found.append(path)
    return found


def _pid_files(path: Path):
    try:
        yield from path.rglob("*.pid")
    except OSError:
        return


def caches(root: Path = ROOT) -> list[Path]:
    found = [root / name for name in CACHES if (root / name).is_dir() and not (root / name).is_symlink()]
    for package in PACKAGES:
        if (root / package).is_dir():
            found.extend(p for p in (root / package).rglob("__pycache__") if p.is_dir() and not p.is_symlink())
    return found


def clean(root: Path = ROOT, temp: Path | None = None, dry_run: bool = False, say=print,
          wait: float = STOP_WAIT) -> list[Path]:
    """Stop the demos, then remove ``.var``, the unused ``chn-*`` temp directories and the caches."""
    var = root / ".var"
    if not dry_run:
        stop_demos(var, say, wait)
    doomed = ([var] if var.is_dir() and not var.is_symlink() else []) + temp_dirs(temp) + caches(root)
    for path in doomed:
        say(f"{'would remove' if dry_run else 'removing'} {path}")
        if not dry_run:
            shutil.rmtree(path, ignore_errors=True)
    return doomed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.clean", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="say what would be stopped and removed")
    args = parser.parse_args(argv)
    clean(dry_run=args.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
