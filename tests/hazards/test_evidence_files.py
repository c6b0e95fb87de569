"""Evidence is checked by its bytes, not its name; too large or empty files are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.errors import TransitionRefused
from casework.services import transitions as svc
from tests.factories import PNG, make_hazard, snapshot


def rectify(world, hazard, upload):
    return svc.hazard_report_rectified(
        hazard_id=hazard.pk, actor=world.staff_a1, description="done", evidence=[upload], occurred_at=timezone.now()
    )


def test_an_image_is_stored_under_a_random_name_with_its_sha256(world):
    import hashlib

    hazard = make_hazard(world, state="assigned")
    rectify(world, hazard, SimpleUploadedFile("../../etc/passwd.png", PNG))
    evidence = hazard.evidence.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.content_type == "image/png"
    assert "passwd" not in evidence.file.name
    assert hazard.transitions.get(name="report_rectified").payload["evidence"] == [evidence.sha256]


def test_a_pdf_is_accepted(world):
    hazard = make_hazard(world, state="assigned")
    rectify(world, hazard, SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%...\n"))
    assert hazard.evidence.get().content_type == "application/pdf"


def test_a_script_named_like_a_photo_is_refused_and_nothing_changes(world):
    hazard = make_hazard(world, state="assigned")
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused, match="不是图片"):
        rectify(world, hazard, SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>"))
    assert snapshot(hazard) == before


def test_an_oversized_file_is_refused(world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    hazard = make_hazard(world, state="assigned")
    with pytest.raises(TransitionRefused, match="超过"):
        rectify(world, hazard, SimpleUploadedFile("big.png", PNG + b"\0" * 200))


def test_an_empty_file_is_refused(world):
    hazard = make_hazard(world, state="assigned")
    with pytest.raises(TransitionRefused, match="空文件"):
        rectify(world, hazard, SimpleUploadedFile("empty.png", b""))
