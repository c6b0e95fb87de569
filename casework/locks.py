"""Row locks, taken one way everywhere.

``FOR UPDATE OF`` the named rows only (a join for ``select_related`` must not lock the school's or the
district's row as well), several rows in primary-key order so that two writers never wait on each other
in opposite orders. SQLite has no row locks and ignores them; the concurrency tests run on PostgreSQL.
Lock first, then check: a caller's copy of the row may be stale.
"""

from django.db.models import Model, QuerySet


def lock_objects(queryset: QuerySet, *, related: tuple[str, ...] = ()) -> list:
    """Lock the queryset's own rows for this transaction, in primary-key order, and return them."""
    qs = queryset.select_for_update(of=("self",)).order_by("pk")
    if related:
        qs = qs.select_related(*related)
    return list(qs)


def lock_object(queryset: QuerySet, *, related: tuple[str, ...] = ()) -> Model | None:
    """Lock the one row the queryset names (None when there is none)."""
    rows = lock_objects(queryset, related=related)
    return rows[0] if rows else None
