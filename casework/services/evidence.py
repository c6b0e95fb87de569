"""Evidence files: type checked by content (not by name), size limited, fingerprinted."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Evidence, Hazard, HazardTransition

# Magic numbers of the accepted types.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str
    size: int
    sha256: str


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_evidence_file(upload: UploadedFile) -> CheckedFile:
    """Refuse a file that is too large or whose bytes are not an image or a PDF."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise TransitionRefused(
            f"文件“{upload.name}”超过 {limit // (1024 * 1024)} MB 上限。",
            code=errors.INVALID_VALUE,
            fields={"evidence": "文件过大"},
        )
    digest, size, head = hashlib.sha256(), 0, b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size == 0:
        raise TransitionRefused(
            f"文件“{upload.name}”是空文件。", code=errors.INVALID_VALUE, fields={"evidence": "空文件"}
        )
    if size > limit:
        raise TransitionRefused(
            f"文件“{upload.name}”超过 {limit // (1024 * 1024)} MB 上限。",
            code=errors.INVALID_VALUE,
            fields={"evidence": "文件过大"},
        )
    content_type = sniff_content_type(head)
    if content_type is None:
        raise TransitionRefused(
            f"文件“{upload.name}”不是图片（JPEG/PNG/WebP）或 PDF。",
            code=errors.INVALID_VALUE,
            fields={"evidence": "文件类型不支持"},
        )
    return CheckedFile(upload=upload, content_type=content_type, size=size, sha256=digest.hexdigest())


def store_evidence(
    *, hazard: Hazard, transition: HazardTransition | None, files: list[CheckedFile], actor
) -> list[Evidence]:
    """Save checked files under random names and link them to the hazard and its transition."""
    stored = []
    for checked in files:
        evidence = Evidence(
            hazard=hazard,
            transition=transition,
            original_name=(checked.upload.name or "file")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        evidence.file.save("upload", checked.upload, save=False)
        evidence.save()
        stored.append(evidence)
    return stored
