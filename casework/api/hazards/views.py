"""Thin API views: authenticate, scope through casework.access, validate, call one service, serialize.

A hazard is always looked up through ``hazards_visible_to`` first: a foreign or sensitive hazard
is 404 before any service runs, so a refusal never tells whether it exists.
"""

import inspect

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.access import (
    evidence_visible_to,
    hazards_visible_to,
    notifications_of,
    org_units_visible_to,
)
from casework.api.authentication import TokenIssueThrottle
from casework.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from casework.api.idempotency import idempotent
from casework.api.models import device_tokens_of
from casework.api.pagination import Cursor, HazardCursor, NotificationCursor
from casework.api.tokens import device_token_issue, device_token_revoke
from casework.rules.lifecycle import ACTIONS
from casework.selectors.ledger import LedgerFilters, ledger_for
from casework.services import transitions as svc
from notifications.services import notification_mark_read

from . import serializers as s

ID_REGEX = r"[0-9]{1,18}"
# The actions whose service takes evidence files: they accept multipart bodies.
ACTIONS_WITH_FILES = tuple(
    name
    for name in ACTIONS
    if name != "report" and "evidence" in inspect.signature(getattr(svc, f"hazard_{name}")).parameters
)
WITH_FILES = [MultiPartParser, JSONParser]
JSON_ONLY = [JSONParser]
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="客户端生成的唯一键（如 UUID）。重试同一请求时带上同一个键：操作只执行一次，返回第一次的响应。",
)


@extend_schema_view(
    list=extend_schema(summary="可见的单位", parameters=[s.OrgUnitQuery]),
    retrieve=extend_schema(summary="单位详情"),
)
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.OrgUnitSerializer
    pagination_class = Cursor
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        qs = org_units_visible_to(self.request.user)
        if self.action == "list":
            query = s.OrgUnitQuery(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if query.validated_data.get("kind"):
                qs = qs.filter(kind=query.validated_data["kind"])
        return qs


def _transition_schema(summary: str, request, response=None):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: response or s.HazardDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )


class HazardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hazards: the ledger, one hazard, reporting, and each transition as an action."""

    pagination_class = HazardCursor
    lookup_value_regex = ID_REGEX
    ledger_sort = "reported"

    def get_queryset(self):
        if self.action == "list":
            return ledger_for(self.request.user, self.ledger_filters)
        return hazards_visible_to(self.request.user).select_related("school", "district", "reported_by")

    def get_serializer_class(self):
        return s.HazardListSerializer if self.action == "list" else s.HazardDetailSerializer

    def _detail(self, hazard_id: int, status_code=status.HTTP_200_OK) -> Response:
        hazard = (
            hazards_visible_to(self.request.user).select_related("school", "district", "reported_by").get(pk=hazard_id)
        )
        return Response(
            s.HazardDetailSerializer(hazard, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(summary="台账（按权限过滤）", parameters=[s.LedgerQuery])
    def list(self, request, *args, **kwargs):
        query = s.LedgerQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        self.ledger_sort = data.get("sort", "reported")
        self.ledger_filters = LedgerFilters(**data)
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="隐患详情")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="上报隐患（可附佐证材料）",
        request=s.HazardReportInput,
        responses={201: s.HazardDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        data = s.HazardReportInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)

        def perform():
            hazard = svc.hazard_report(actor=request.user, **data.service_kwargs())
            return self._detail(hazard.pk, status.HTTP_201_CREATED)

        return idempotent(request, perform)

    def get_parsers(self):
        if getattr(self, "action", None) in (None, "create", *ACTIONS_WITH_FILES):
            return [parser() for parser in WITH_FILES]
        return [parser() for parser in JSON_ONLY]

    def _transition(self, request, service, input_class) -> Response:
        hazard = self.get_object()  # through hazards_visible_to: 404 for what the user may not see
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)

        def perform():
            service(hazard_id=hazard.pk, actor=request.user, **data.service_kwargs())
            return self._detail(hazard.pk)

        return idempotent(request, perform)

    def _deadline_transition(self, request, service, input_class) -> Response:
        """As ``_transition``, answering with the resulting deadline, its basis and any uncovered-year warning."""
        hazard = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)

        def perform():
            changed = service(hazard_id=hazard.pk, actor=request.user, **data.service_kwargs())
            fresh = (
                hazards_visible_to(request.user).select_related("school", "district", "reported_by").get(pk=hazard.pk)
            )
            context = {**self.get_serializer_context(), "deadline_warning": getattr(changed, "deadline_warning", "")}
            return Response(s.DeadlineResultSerializer(fresh, context=context).data)

        return idempotent(request, perform)

    @extend_schema(summary="流转记录（只读，哈希链）", responses={200: s.TransitionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def transitions(self, request, pk=None):
        hazard = self.get_object()
        records = hazard.transitions.select_related("actor", "actor_unit").prefetch_related("evidence").order_by("seq")
        return Response(s.TransitionSerializer(records, many=True).data)

    @extend_schema(summary="字段修改历史（只读）", responses={200: s.HazardHistorySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        hazard = self.get_object()
        rows = hazard.history.select_related("history_user").order_by("history_date", "history_id")
        return Response(s.HazardHistorySerializer(rows, many=True).data)


def _action_endpoint(name: str, spec):
    """The API's endpoint for one action of the lifecycle table: POST /api/hazards/<id>/<action-name>/."""
    service = getattr(svc, f"hazard_{name}")
    input_class = getattr(s, spec.api_input)

    def endpoint(self, request, pk=None):
        perform = self._deadline_transition if spec.sets_deadline else self._transition
        return perform(request, service, input_class)

    endpoint.__name__ = endpoint.__qualname__ = name
    response = s.DeadlineResultSerializer if spec.sets_deadline else None
    routed = action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(endpoint)
    return _transition_schema(spec.label, input_class, response)(routed)


for _name, _spec in ACTIONS.items():
    if _spec.api_input:
        setattr(HazardViewSet, _name, _action_endpoint(_name, _spec))


class EvidenceFileView(APIView):
    """An evidence file, served only to users who may see its hazard."""

    @extend_schema(
        summary="下载佐证材料",
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, pk: int):
        evidence = get_object_or_404(evidence_visible_to(request.user), pk=pk)
        response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
        response["Content-Disposition"] = "inline"
        response["X-Content-Type-Options"] = "nosniff"
        return response


@extend_schema_view(
    list=extend_schema(summary="我的通知", parameters=[s.NotificationQuery]),
    retrieve=extend_schema(summary="通知详情"),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.NotificationSerializer
    pagination_class = NotificationCursor
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        qs = notifications_of(self.request.user)
        if self.action == "list":
            query = s.NotificationQuery(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if query.validated_data.get("unread"):
                qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(summary="标为已读", request=None, responses={200: s.NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification_mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)


@extend_schema_view(list=extend_schema(summary="我的设备令牌"))
class DeviceTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.DeviceTokenSerializer
    pagination_class = None
    lookup_value_regex = ID_REGEX
    parser_classes = JSON_ONLY + [FormParser]

    def get_queryset(self):
        return device_tokens_of(self.request.user)

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.action == "create":
            return [TokenIssueThrottle()]
        return super().get_throttles()

    @extend_schema(
        summary="用用户名、密码和设备名称换取设备令牌",
        request=s.TokenIssueInput,
        responses={201: s.TokenIssuedSerializer},
        auth=[],
    )
    def create(self, request):
        data = s.TokenIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = device_token_issue(request=request._request, **data.validated_data)
        token.token = key  # shown this once; only its hash is stored
        return Response(
            s.TokenIssuedSerializer(token, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="吊销设备令牌", request=None, responses={200: s.DeviceTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        token = device_token_revoke(actor=request.user, token_id=token.pk)
        return Response(self.get_serializer(token).data)


__all__ = ["DeviceTokenViewSet", "EvidenceFileView", "HazardViewSet", "NotificationViewSet", "OrgUnitViewSet"]
