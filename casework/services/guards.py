"""Guards every writing service shares."""
import functools

from casework import errors
from casework.access import is_read_only
from casework.errors import TransitionRefused


def for_writers(service):
    """Refuse a read-only (auditor) actor before the service looks at anything else."""

    @functools.wraps(service)
    def guarded(*args, actor, **kwargs):
        if is_read_only(actor):
            raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
        return service(*args, actor=actor, **kwargs)

    return guarded
