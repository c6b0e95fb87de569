"""``Idempotency-Key``: a retried request performs its action once and gets the first response again.

The record is inserted before the action, in the action's transaction, under a unique constraint
on (user, key): a concurrent duplicate waits on the insert and, once the first commits, replays
its response. A refused action rolls the record back with everything else, so a retry after an
error runs again (the error changed nothing). Only successful responses are stored and replayed.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .errors import IdempotencyConflict, IdempotencyInProgress
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class _Duplicate(Exception):
    pass


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:{digest.hexdigest()}"


def _canonical(value):
    if isinstance(value, UploadedFile):
        return _file_digest(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(request) -> str:
    """Method, path and the parsed body (files by content): a multipart boundary does not matter."""
    data = request.data
    if hasattr(data, "getlist"):
        body = {key: [_canonical(v) for v in data.getlist(key)] for key in sorted(data.keys())}
    else:
        body = _canonical(data)
    canonical = json.dumps([request.method, request.path, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise exceptions.ValidationError({HEADER: f"幂等键应为 1–{MAX_KEY_LENGTH} 个可打印字符。"})
    return key


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict()
    if record.status_code is None:
        raise IdempotencyInProgress()
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(request, perform: Callable[[], Response]) -> Response:
    """Run ``perform`` once per (user, Idempotency-Key); without the header, just run it."""
    key = _key_of(request)
    if key is None:
        return perform()
    fingerprint = request_fingerprint(request)
    existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:300],
                        fingerprint=fingerprint,
                    )
            except IntegrityError:
                raise _Duplicate from None
            response = perform()
            record.status_code = response.status_code
            record.body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "body"])
            return response
    except _Duplicate:
        return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), fingerprint)
