"""Cursor pagination: stable under inserts, no COUNT(*) over a province's ledger."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)


class HazardCursor(Cursor):
    """The ledger's order, made stable by the id; only sorts on a non-null column can carry a cursor."""

    orderings = {"reported": ("-reported_at", "-id"), "reported_asc": ("reported_at", "id")}

    def get_ordering(self, request, queryset, view):
        return self.orderings[getattr(view, "ledger_sort", "reported")]


class NotificationCursor(Cursor):
    ordering = ("-created_at", "-id")
