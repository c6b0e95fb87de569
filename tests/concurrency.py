"""Running the same job "at once" from two workers, on whichever database the suite runs on.

On PostgreSQL (DATABASE_URL points there) the callers run in real threads, released together by a
barrier, each on its own connection. SQLite's in-memory test database cannot take two writers from
threads (shared-cache table locks), and the file database serialises writers anyway, so there the
callers run one after the other: what is tested is that the second run, finding the first one's
rows, adds nothing. The stale-read interleavings are tested separately and deterministically.
"""

import threading

from django.db import connection


def run_concurrently(*jobs, timeout: float = 30) -> list:
    if connection.vendor != "postgresql":
        return [job() for job in jobs]
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        try:
            barrier.wait(timeout=timeout)
            results[i] = job()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a concurrent job hung"
    assert errors == [], errors
    return results
