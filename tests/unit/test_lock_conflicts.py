"""A deadlock victim runs again; any other error does not."""

import pytest
from sqlalchemy.exc import OperationalError

from channel.db import is_lock_conflict, retry_on_lock_conflict


class DriverError(Exception):
    pass


def conflict(code=1213):
    return OperationalError("UPDATE channel_amazon_account ...", {}, DriverError(code, "Deadlock found"))


def test_a_deadlock_victim_runs_again_until_it_succeeds():
    calls = []

    def work():
        calls.append(1)
        if len(calls) < 3:
            raise conflict()
        return "done"

    assert retry_on_lock_conflict(work, pause=0) == "done" and len(calls) == 3


def test_other_errors_and_endless_conflicts_are_raised():
    assert is_lock_conflict(conflict(1205)) and not is_lock_conflict(conflict(1062))
    with pytest.raises(OperationalError):
        retry_on_lock_conflict(lambda: (_ for _ in ()).throw(conflict(1062)), pause=0)
    calls = []

    def always():
        calls.append(1)
        raise conflict()

    with pytest.raises(OperationalError):
        retry_on_lock_conflict(always, attempts=3, pause=0)
    assert len(calls) == 3
