"""Security-relevant events, logged with user, time, address and object.

A middleware keeps the current request in a context variable so that code far from the view
(the access module, report rendering, exports) can log the address too.
"""

import dataclasses
import json
import logging
from contextvars import ContextVar

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from casework.audit.events import audit_event_record

logger = logging.getLogger("security")
_current_request: ContextVar = ContextVar("current_request", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


class IdleSessionMiddleware:
    """Idle expiry without writing the session on every request.

    The session's server-side expiry is ``SESSION_COOKIE_AGE`` after its last save. Saving it on every
    request (``SESSION_SAVE_EVERY_REQUEST``) costs three statements and a signature per page; here it is
    saved at most once per ``SESSION_IDLE_REFRESH_SECONDS`` (60), so a user idle for the whole age is
    logged out, give or take that minute. Place it after ``SessionMiddleware``.
    """

    KEY = "_idle_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or session.modified:
            return response
        now = timezone.now().timestamp()
        # Never let the refresh interval reach the idle age itself: an active user would be logged out.
        every = min(settings.SESSION_IDLE_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 2)
        if now - session.get(self.KEY, 0) >= every:
            session[self.KEY] = now  # marks it modified: SessionMiddleware saves it and pushes the expiry on
        return response


def client_address(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")


def log_security_event(event: str, *, user=None, obj=None, request=None, **details) -> dict:
    """Write one structured security log line; returns what was logged (for tests)."""
    request = request or _current_request.get()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    entry = {
        "event": event,
        "at": timezone.now().isoformat(),
        "user": getattr(user, "username", None) or details.pop("username", None),
        "address": client_address(request),
        "object": f"{obj._meta.label}:{obj.pk}" if obj is not None and hasattr(obj, "_meta") else obj,
        **details,
    }
    logger.info(json.dumps(entry, ensure_ascii=False, default=str))
    return entry


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    log_security_event("login", user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log_security_event("logout", user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    log_security_event("login_failed", request=request, username=credentials.get("username"))


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    log_security_event("lockout", request=request, username=username)


def _jsonable(value) -> dict:
    """Filters and parameters as JSON (dates and moments spelled out)."""
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str))


def record_export(event: str, *, kind: str, subject: str = "", params=None, request=None, user=None) -> dict:
    """An export or a rendered report: one security log line and, when a person asked for it, one audit event
    on the city's hash-chained audit record (casework.audit), so it cannot be made to disappear unseen.

    ``event`` is the log's name ("export", "report_rendered"); ``kind`` the AuditEventKind; ``subject`` names
    what was taken away (a unit, a campaign, a ledger); ``params`` the filters it was drawn up with.
    """
    params = _jsonable(params)
    entry = log_security_event(event, request=request, user=user, obj=subject or None, kind=kind, params=params)
    actor = user or (getattr(request, "user", None) if request is not None else None) or _request_user()
    if actor is not None and getattr(actor, "is_authenticated", False):
        audit_event_record(
            actor=actor,
            kind=kind,
            subject=subject,
            params=params | {"address": entry["address"]} if entry["address"] else params,
        )
    return entry


def _request_user():
    request = _current_request.get()
    return getattr(request, "user", None) if request is not None else None
