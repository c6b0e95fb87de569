"""What every channel is: a name, whether it is configured, and ``send`` (which raises on failure)."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings


class DeliveryError(Exception):
    """A send that did not go through. ``permanent``: retrying cannot help (bad address, refused)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingMessage:
    idempotency_key: str
    address: str
    event: str
    title: str
    body: str
    link: str  # absolute URL, or ""

    def text(self) -> str:
        return "\n".join(part for part in (self.title, self.body, self.link) if part)


class Channel:
    name = ""
    label = ""
    # Sends the idempotency key with every attempt and the far end drops repeats: exactly once.
    # Otherwise a crash between sending and recording means the message may arrive twice (at least once).
    supports_idempotency = False
    # What the user must give us on the settings page ("" = nothing): "email" or "mobile".
    address_kind = ""

    def is_configured(self) -> bool:
        return True

    def default_address(self, user) -> str:
        return ""

    def send(self, message: OutgoingMessage) -> None:
        raise NotImplementedError


def post_json(url: str, payload: dict, *, headers: dict | None = None) -> dict:
    """POST JSON and return the decoded JSON answer; raise ``DeliveryError`` on any failure.

    Timeouts, connection errors, 408, 429 and 5xx are temporary (retried); other 4xx are permanent.
    """
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as response:
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"HTTP {exc.code}", permanent=permanent) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"连接失败：{reason}") from None
    if not raw.strip():
        return {}
    try:
        answer = json.loads(raw)
    except ValueError:
        raise DeliveryError("应答不是 JSON") from None
    return answer if isinstance(answer, dict) else {}
