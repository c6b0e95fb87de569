"""The one domain error a refused action raises: a code for machines, a Chinese reason for people."""


class TransitionRefused(Exception):
    """An action was refused; nothing was changed."""

    def __init__(self, message: str, *, code: str = "refused", fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.message


# Codes (stable; the API and the tests use them).
FORBIDDEN_ROLE = "forbidden_role"
OUT_OF_SCOPE = "out_of_scope"
WRONG_STATE = "wrong_state"
MISSING_FIELD = "missing_field"
INVALID_VALUE = "invalid_value"
SEPARATION_OF_DUTY = "separation_of_duty"
MISSING_TEMPORARY_MEASURES = "missing_temporary_measures"
INVALID_TIME = "invalid_time"
# Listed supervision (挂牌督办).
NOT_MAJOR = "not_major"
DUPLICATE_LISTING = "duplicate_listing"
NOT_VERIFIED = "not_verified"
