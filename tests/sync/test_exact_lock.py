"""The account lock outlives the longest wait of a cycle, and still expires for a dead worker."""

import time

from worker.locks import AccountLock, LockBusy


def test_lock_is_kept_alive_while_held_longer_than_its_ttl(redis_client):
    lock = AccountLock(redis_client, 7, ttl=1).acquire()
    try:
        time.sleep(2.5)  # e.g. a report Amazon takes longer to build than the lock's ttl
        assert redis_client.get(lock.key).decode() == lock.token
        try:
            AccountLock(redis_client, 7, ttl=1).acquire()
            raise AssertionError("a second cycle got the lock")
        except LockBusy:
            pass
    finally:
        assert lock.release()
    assert redis_client.get(lock.key) is None


def test_lock_of_a_dead_worker_expires(redis_client):
    lock = AccountLock(redis_client, 8, ttl=1).acquire()
    lock._stop.set()  # the heartbeat dies with its process
    time.sleep(1.6)
    assert redis_client.get(lock.key) is None
    AccountLock(redis_client, 8, ttl=1).acquire().release()
