"""OpenAPI details: the device-token security scheme and the one error shape on every operation."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_STATUSES = {
    "400": "输入有误（字段错误见 fields）",
    "401": "未登录或令牌无效",
    "403": "角色不允许或不在管辖范围内",
    "404": "不存在，或您无权查看",
    "409": "当前状态不允许此操作（隐患、挂牌督办、检查或报表）",
    "422": "幂等键已用于另一个请求",
    "429": "请求过于频繁",
}


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "casework.api.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "POST /api/auth/tokens/ 取得的设备令牌"}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        from .hazards.serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400", ["application/json"], direction)
        for code, description in ERROR_STATUSES.items():
            if code not in responses:
                responses[code] = {**error, "description": description}
        return responses
