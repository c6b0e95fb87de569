"""One error shape for every API error: ``{"code", "message" (Chinese), "fields": {name: message}}``.

A refused transition keeps its code and its Chinese reason as the service wrote them; the HTTP
status follows the code. Objects the caller may not see never get this far: views look them up
through ``casework.access`` first and answer 404.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from casework import errors
from casework.errors import TransitionRefused

logger = logging.getLogger("casework")

REFUSAL_STATUS = {
    errors.FORBIDDEN_ROLE: status.HTTP_403_FORBIDDEN,
    errors.SEPARATION_OF_DUTY: status.HTTP_403_FORBIDDEN,
    errors.OUT_OF_SCOPE: status.HTTP_403_FORBIDDEN,
    errors.WRONG_STATE: status.HTTP_409_CONFLICT,
    errors.MISSING_TEMPORARY_MEASURES: status.HTTP_409_CONFLICT,
    errors.MISSING_FIELD: status.HTTP_400_BAD_REQUEST,
    errors.INVALID_VALUE: status.HTTP_400_BAD_REQUEST,
    errors.INVALID_TIME: status.HTTP_400_BAD_REQUEST,
    errors.NOT_MAJOR: status.HTTP_409_CONFLICT,
    errors.DUPLICATE_LISTING: status.HTTP_409_CONFLICT,
    errors.NOT_VERIFIED: status.HTTP_409_CONFLICT,
    "invalid_credentials": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
}

NOT_FOUND_MESSAGE = "未找到，或您无权查看。"

# DRF's own exceptions, in Chinese (their default texts follow the request language, which may vary).
MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录（会话或设备令牌）。"),
    exceptions.AuthenticationFailed: ("authentication_failed", "身份验证失败。"),
    exceptions.PermissionDenied: ("permission_denied", "您无权进行此操作。"),
    exceptions.NotFound: ("not_found", NOT_FOUND_MESSAGE),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法。"),
    exceptions.NotAcceptable: ("not_acceptable", "无法按请求的格式返回。"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的请求内容类型。"),
    exceptions.ParseError: ("parse_error", "请求内容无法解析。"),
}


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "该幂等键已用于另一个不同的请求，请为新请求使用新的幂等键。"


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_in_progress"
    default_detail = "相同幂等键的请求正在处理中，请稍后重试。"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten(detail) -> str:
    if isinstance(detail, list | tuple):
        return "；".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return "；".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    return str(detail)


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail
    if isinstance(detail, dict):
        fields = {name: _flatten(value) for name, value in detail.items() if name != "non_field_errors"}
        general = _flatten(detail.get("non_field_errors", []))
    else:
        fields, general = {}, _flatten(detail)
    message = general or "提交的内容有误：" + "；".join(f"{k}（{v}）" for k, v in fields.items())
    return error_body("invalid", message, fields)


def api_exception_handler(exc, context):
    """DRF's exception handler, replaced: every error in the one shape, never a bare 500 page."""
    headers = {}
    if isinstance(exc, TransitionRefused):
        return Response(
            error_body(exc.code, exc.message, exc.fields),
            status=REFUSAL_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return Response(_validation_body(exc), status=exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait) + 1 if exc.wait is not None else None
        if wait is not None:
            headers["Retry-After"] = str(wait)
        message = f"请求过于频繁，请在 {wait} 秒后重试。" if wait else "请求过于频繁，请稍后重试。"
        return Response(error_body("throttled", message), status=exc.status_code, headers=headers)
    if isinstance(exc, exceptions.APIException):
        code, message = MESSAGES.get(type(exc), (None, None))
        own_reason = isinstance(exc, exceptions.AuthenticationFailed | exceptions.PermissionDenied)
        if own_reason and str(exc.detail) != str(exc.default_detail):
            message = _flatten(exc.detail)  # raised with its own (Chinese) reason: keep it
        if code is None:
            code = exc.default_code if isinstance(exc.default_code, str) else "error"
            message = _flatten(exc.detail)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return Response(error_body(code, message), status=exc.status_code, headers=headers)
    logger.exception("API error", exc_info=exc)
    return Response(
        error_body("server_error", "服务器内部错误，请稍后重试；如持续出现请联系管理员。"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def not_found(request, exception=None):
    """Django's 404 handler: the API's shape under /api/, the ordinary page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("not_found", NOT_FOUND_MESSAGE), status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)
