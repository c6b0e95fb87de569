"""Campaigns (read), inspections (scoped; planned and recorded through the services) and school returns
(read; submit and confirm through the services). Every object is looked up through casework.access:
an unannounced visit does not exist for the school until it is recorded."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from casework.access import campaigns_visible_to, inspections_visible_to, returns_visible_to
from casework.api.hazards.views import ID_REGEX, IDEMPOTENCY_PARAMETER
from casework.api.idempotency import idempotent
from casework.api.pagination import Cursor
from casework.services import campaigns as campaign_svc

from . import serializers as cs


def _filtered(qs, query_class, params, names):
    query = query_class(data=params)
    query.is_valid(raise_exception=True)
    for name in names:
        value = query.validated_data.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{f"{name}_id" if name in ("campaign", "school") else name: value})
    return qs


@extend_schema_view(
    list=extend_schema(summary="专项整治（本市）"),
    retrieve=extend_schema(summary="专项整治详情"),
)
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = cs.CampaignSerializer
    pagination_class = Cursor
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return campaigns_visible_to(self.request.user).prefetch_related("phases", "checklist_categories")


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections: scoped lists and pages, planning (or conducting) one, and recording its results."""

    pagination_class = Cursor
    lookup_value_regex = ID_REGEX
    parser_classes = [JSONParser]

    def get_queryset(self):
        qs = inspections_visible_to(self.request.user).select_related("school")
        if self.action == "list":
            qs = _filtered(qs, cs.InspectionQuery, self.request.query_params, ("campaign", "school", "kind", "status"))
        return qs

    def get_serializer_class(self):
        return cs.InspectionSerializer if self.action == "list" else cs.InspectionDetailSerializer

    def _detail(self, inspection_id: int, status_code=status.HTTP_200_OK) -> Response:
        inspection = inspections_visible_to(self.request.user).select_related("school").get(pk=inspection_id)
        return Response(
            cs.InspectionDetailSerializer(inspection, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(summary="检查（按权限过滤；明查暗访在录入结果前对学校不可见）", parameters=[cs.InspectionQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="检查详情（含结果）")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="安排检查；带 results 时同时录入结果（不合格项各生成一条隐患）",
        request=cs.InspectionCreateInput,
        responses={201: cs.InspectionDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        data = cs.InspectionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with_results, kwargs_ = data.service_kwargs()
        service = campaign_svc.inspection_conduct if with_results else campaign_svc.inspection_plan

        def perform():
            inspection = service(actor=request.user, **kwargs_)
            return self._detail(inspection.pk, status.HTTP_201_CREATED)

        return idempotent(request, perform)

    @extend_schema(
        summary="录入检查结果（不合格项各生成一条隐患）",
        request=cs.InspectionRecordInput,
        responses={200: cs.InspectionDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        inspection = self.get_object()  # an unannounced visit the user may not know of is 404
        data = cs.InspectionRecordInput(data=request.data)
        data.is_valid(raise_exception=True)

        def perform():
            campaign_svc.inspection_record(actor=request.user, inspection_id=inspection.pk, **data.service_kwargs())
            return self._detail(inspection.pk)

        return idempotent(request, perform)


class SchoolReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """School returns (附件1): scoped reading; the school submits, its own police station confirms."""

    serializer_class = cs.SchoolReturnSerializer
    pagination_class = Cursor
    lookup_value_regex = ID_REGEX
    parser_classes = [JSONParser]

    def get_queryset(self):
        qs = returns_visible_to(self.request.user).select_related("school")
        if self.action == "list":
            qs = _filtered(qs, cs.ReturnQuery, self.request.query_params, ("campaign", "school", "status"))
        return qs

    @extend_schema(summary="学校报表（按权限过滤）", parameters=[cs.ReturnQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="学校报表详情")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _act(self, request, input_class, service) -> Response:
        obj = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)

        def perform():
            service(actor=request.user, return_id=obj.pk, **data.service_kwargs())
            fresh = returns_visible_to(request.user).select_related("school").get(pk=obj.pk)
            return Response(self.get_serializer(fresh).data)

        return idempotent(request, perform)

    @extend_schema(
        summary="学校提交报表（校长签字），送属地派出所确认",
        request=cs.ReturnSubmitInput,
        responses={200: cs.SchoolReturnSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, cs.ReturnSubmitInput, campaign_svc.return_submit)

    @extend_schema(
        summary="属地派出所填写公安部分并确认（所长签字）",
        request=cs.ReturnConfirmInput,
        responses={200: cs.SchoolReturnSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(request, cs.ReturnConfirmInput, campaign_svc.return_confirm)


__all__ = ["CampaignViewSet", "InspectionViewSet", "SchoolReturnViewSet"]
