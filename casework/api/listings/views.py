"""Listed supervision (挂牌督办): the listings ledger, one listing, listing a hazard, and the listing's
actions (progress report, reminder, delisting), each through its service in casework.services.listings.

A listing is always looked up through ``listings_visible_to`` (the listings of the hazards the user may
see): a foreign or sensitive listing is 404 before any service runs.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from casework.access import listings_visible_to
from casework.api.hazards.views import ID_REGEX, IDEMPOTENCY_PARAMETER
from casework.api.idempotency import idempotent
from casework.api.pagination import Cursor
from casework.selectors.listings import ListingFilters, listing_ledger_for
from casework.services import listings as listing_svc

from . import serializers as ls

RELATED = ("hazard", "hazard__school", "district", "authority", "supervising_officer", "listed_by", "delisted_by")


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Listings: the ledger, one listing, listing a hazard, and the listing's actions."""

    pagination_class = Cursor
    lookup_value_regex = ID_REGEX
    listing_filters = ListingFilters(state="")

    def get_queryset(self):
        if self.action == "list":
            return listing_ledger_for(self.request.user, self.listing_filters).select_related(*RELATED)
        return listings_visible_to(self.request.user).select_related(*RELATED)

    def get_serializer_class(self):
        return ls.ListingSerializer if self.action == "list" else ls.ListingDetailSerializer

    def get_parsers(self):
        if getattr(self, "action", None) in (None, "progress"):
            return [MultiPartParser(), JSONParser()]
        return [JSONParser()]

    def _detail(self, listing_id: int, status_code=status.HTTP_200_OK) -> Response:
        listing = listings_visible_to(self.request.user).select_related(*RELATED).get(pk=listing_id)
        return Response(
            ls.ListingDetailSerializer(listing, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(summary="挂牌督办台账（按权限过滤）", parameters=[ls.ListingQuery])
    def list(self, request, *args, **kwargs):
        query = ls.ListingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        self.listing_filters = ListingFilters(
            district=data.get("district"),
            level=data.get("level", ""),
            state=data.get("state", ""),
            overdue=data["overdue"],
            raised=data["raised"],
        )
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="挂牌督办详情")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="重大隐患挂牌督办（区级或市级）",
        request=ls.ListingCreateInput,
        responses={201: ls.ListingDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        data = ls.ListingCreateInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)

        def perform():
            listing = listing_svc.hazard_list(actor=request.user, **data.service_kwargs())
            return self._detail(listing.pk, status.HTTP_201_CREATED)

        return idempotent(request, perform)

    def _act(self, request, input_class, perform_service):
        listing = self.get_object()  # through listings_visible_to: 404 for what the user may not see
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        return idempotent(request, lambda: perform_service(listing, data.service_kwargs()))

    @extend_schema(
        summary="报送督办进展（可附佐证材料）",
        request=ls.ProgressInput,
        responses={201: ls.ProgressReportSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        def perform(listing, kwargs):
            report = listing_svc.listing_report_progress(listing_id=listing.pk, actor=request.user, **kwargs)
            return Response(ls.ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

        return self._act(request, ls.ProgressInput, perform)

    @extend_schema(
        summary="催办",
        request=ls.RemindInput,
        responses={201: ls.ReminderSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        def perform(listing, kwargs):
            reminder = listing_svc.listing_remind(listing_id=listing.pk, actor=request.user, **kwargs)
            return Response(ls.ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)

        return self._act(request, ls.RemindInput, perform)

    @extend_schema(
        summary="摘牌（隐患验收销号后）",
        request=ls.DelistInput,
        responses={200: ls.ListingDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def delist(self, request, pk=None):
        def perform(listing, kwargs):
            listing_svc.listing_delist(listing_id=listing.pk, actor=request.user, **kwargs)
            return self._detail(listing.pk)

        return self._act(request, ls.DelistInput, perform)

    @extend_schema(summary="进展报告（只读）", responses={200: ls.ProgressReportSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="progress-reports", pagination_class=None)
    def progress_reports(self, request, pk=None):
        listing = self.get_object()
        rows = listing.progress_reports.select_related("reported_by").order_by("-reported_at", "-id")
        return Response(ls.ProgressReportSerializer(rows, many=True).data)

    @extend_schema(summary="催办记录（只读）", responses={200: ls.ReminderSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def reminders(self, request, pk=None):
        listing = self.get_object()
        rows = listing.reminders.select_related("sent_by").order_by("-sent_at", "-id")
        return Response(ls.ReminderSerializer(rows, many=True).data)


__all__ = ["ListingViewSet"]
