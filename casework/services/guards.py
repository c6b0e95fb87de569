"""Guards every writing service shares."""

import functools

from casework.access import ensure_writer


def for_writers(service):
    """Refuse a read-only (auditor) actor before the service looks at anything else."""

    @functools.wraps(service)
    def guarded(*args, actor, **kwargs):
        ensure_writer(actor)
        return service(*args, actor=actor, **kwargs)

    return guarded
