"""Work split over forked processes, its results streamed back to the parent.

Classification computes every product's offer in Python: on a big catalog that is CPU
work one interpreter does on one core. ``forked`` runs each task in a child process of
its own (``fork``: the children start with the parent's objects, nothing is pickled on
the way in), each sending its results back as they come; the parent receives them in
whatever order they arrive.

Children never touch what they inherited from the parent's connections: they open their
own, the garbage collector leaves inherited objects alone (``gc.freeze``) and they leave
by ``os._exit`` (no finalizer runs, so no inherited database connection is closed under
the parent). A child's failure is raised in the parent with the child's words; a child
that dies without a word (killed, out of memory) is reported with its exit code. When
the parent stops early, or fails, the children are stopped. ``Started`` starts them at
once, for a parent with other work to do before it needs their results.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import os
import resource
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait

logger = logging.getLogger(__name__)

#: A task: runs in a child, passing each result to ``emit`` (results must pickle).
Task = Callable[[Callable[[object], None]], None]
#: Seconds a stopped child has to end before it is killed.
STOP_WAIT = 5.0


class ForkedTaskFailed(RuntimeError):
    """A task failed in its child process."""


@dataclasses.dataclass
class ForkStats:
    #: The largest peak resident memory of a child, in MB.
    child_peak_rss_mb: float = 0.0
    children: int = 0


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _child(task: Task, out: Connection) -> None:
    gc.freeze()  # what the parent left for collection is the parent's to close
    # The parent's handlers (a worker's warm shutdown on SIGTERM) are not the child's: the
    # parent stops a child by SIGTERM and it must end then.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    code = 0
    try:
        task(lambda item: out.send(("item", item)))
        out.send(("done", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        code = 1
        try:
            out.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8)))
        except Exception:  # noqa: BLE001 - the parent is gone: nobody to tell
            pass
    finally:
        try:
            out.close()
        finally:
            os._exit(code)


class Started:
    """Tasks running in forked children from the moment this is made: ``results`` yields
    what they emit (as ``forked`` does), ``stop`` ends those still running. The parent may
    do other work in between; what the children emit waits in their pipes."""

    def __init__(self, tasks: Iterable[Task], stats: ForkStats | None = None):
        context = multiprocessing.get_context("fork")
        self.stats = stats if stats is not None else ForkStats()
        self._children: dict[Connection, multiprocessing.process.BaseProcess] = {}
        try:
            for task in tasks:
                receive, send = context.Pipe(duplex=False)
                child = context.Process(target=_child, args=(task, send), daemon=True)
                child.start()
                send.close()
                self._children[receive] = child
        except BaseException:
            self.stop()
            raise
        self.stats.children = len(self._children)

    def results(self) -> Iterator[object]:
        """Every item the children emit, as it arrives; raises ``ForkedTaskFailed`` for the
        first child that fails. The children are stopped when this ends, however it ends."""
        children = self._children
        try:
            open_ends = list(children)
            while open_ends:
                for end in wait(open_ends):
                    assert isinstance(end, Connection)
                    try:
                        message = end.recv()
                    except EOFError:
                        ended = children[end]
                        ended.join()
                        raise ForkedTaskFailed(f"a worker process ended without finishing its part"
                                               f" (exit code {ended.exitcode})") from None
                    if message[0] == "item":
                        yield message[1]
                    elif message[0] == "done":
                        self.stats.child_peak_rss_mb = max(self.stats.child_peak_rss_mb, float(message[1]))
                        open_ends.remove(end)
                        children[end].join()
                    else:
                        logger.error("A worker process failed: %s\n%s", message[1], message[2])
                        raise ForkedTaskFailed(f"a worker process failed: {message[1]}")
        finally:
            self.stop()

    def stop(self) -> None:
        """End the children still running (SIGTERM, then SIGKILL after ``STOP_WAIT`` s)."""
        children, self._children = self._children, {}
        for end, process in children.items():
            if process.is_alive():
                process.terminate()
            process.join(STOP_WAIT)
            if process.is_alive():
                process.kill()
                process.join()
            end.close()


def forked(tasks: Iterable[Task], stats: ForkStats | None = None) -> Iterator[object]:
    """Each task in a forked child; yields every item they emit as it arrives. Raises
    ``ForkedTaskFailed`` for the first child that fails (the others are stopped)."""
    yield from Started(tasks, stats).results()
