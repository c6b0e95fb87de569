"""The review pages and exports: auditors and the city admin only, scoped, each view and export logged,
and each export names who exported it and when."""

import io
import subprocess
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from casework.audit.chain import verify_all_chains
from casework.models import AuditEvent, AuditEventKind
from tests.audit.scripted import scripted_hazard
from tests.factories import make_hazard

PERIOD = {"start": "2025-03-01", "end": "2025-08-31"}
OTHERS = ["staff_a1", "police_a1", "officer_a", "supervisor_a", "supervisor_city", "party_a"]


@pytest.fixture
def hazard(world):
    return scripted_hazard(world)


def login(client, world, name):
    client.force_login(world.users[name])
    return client


def review_url(name, hazard):
    return reverse(f"audit:{name}") + f"?kind=hazard&id={hazard.pk}&start={PERIOD['start']}&end={PERIOD['end']}"


@pytest.mark.parametrize("reader", ["auditor", "city_admin"])
def test_the_review_page_shows_who_was_responsible_and_is_logged(client, world, hazard, reader):
    response = login(client, world, reader).get(review_url("review", hazard))
    assert response.status_code == 200
    text = response.content.decode()
    assert "王主任" in text and "逾期未完成" in text and "联合执法排期" in text and "天宁区党委政府" in text
    [event] = AuditEvent.objects.all()
    assert (event.kind, event.actor, event.subject) == (
        AuditEventKind.REVIEW_VIEWED,
        world.users[reader],
        f"hazard:{hazard.pk}",
    )


@pytest.mark.parametrize("name", ["index", "review", "review_pdf", "review_xlsx", "findings", "chains"])
@pytest.mark.parametrize("user", OTHERS)
def test_everyone_else_is_refused_every_audit_page(client, world, name, user):
    hazard = make_hazard(world, state="assigned")
    response = login(client, world, user).get(review_url(name, hazard))
    assert response.status_code == 403
    assert AuditEvent.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client, hazard):
    response = client.get(review_url("review", hazard))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_subject_outside_the_city_or_unknown_is_not_found(client, world, hazard):
    login(client, world, "auditor")
    assert client.get(reverse("audit:review") + "?kind=hazard&id=999999").status_code == 404
    assert client.get(reverse("audit:review") + f"?kind=school&id={world.district_a.pk}").status_code == 404
    assert client.get(reverse("audit:review") + "?kind=nonsense&id=1").status_code == 404
    assert client.get(reverse("audit:review") + f"?kind=district&id={world.district_a.pk}&start=bad").status_code == 200


def test_the_pdf_export_names_the_exporter_and_the_time_and_is_logged(client, world, hazard):
    response = login(client, world, "auditor").get(review_url("review_pdf", hazard))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    [event] = AuditEvent.objects.all()
    assert event.kind == AuditEventKind.REVIEW_EXPORTED_PDF and event.actor == world.auditor
    pdf = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in pdf.pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "导出人：auditor" in compact and "导出时间：" in compact
    exported_at = datetime.fromisoformat(event.params["exported_at"])
    assert abs((timezone.now() - exported_at).total_seconds()) < 60
    assert f"导出时间：{timezone.localtime(exported_at):%Y-%m-%d%H:%M}" in compact
    # Real glyphs, not empty boxes: the Chinese text comes back out of the PDF.
    assert "倒查报告" in compact and "王主任" in compact and "逾期未完成" in compact
    fonts = subprocess.run(["pdffonts", "-"], input=response.content, capture_output=True).stdout.decode()
    assert "WenQuanYi" in fonts or "Noto" in fonts


def test_the_excel_export_names_the_exporter_on_every_sheet_and_is_logged(client, world, hazard):
    response = login(client, world, "city_admin").get(review_url("review_xlsx", hazard))
    assert response.status_code == 200
    [event] = AuditEvent.objects.all()
    assert event.kind == AuditEventKind.REVIEW_EXPORTED_XLSX and event.actor == world.city_admin
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概要", "决策记录", "责任时段", "整改时限", "返工", "延期", "提请协调", "提醒"]
    for sheet in book:
        assert sheet["A1"].value.startswith("导出人：city_admin（city_admin） 导出时间：")
    decisions = list(book["决策记录"].iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in decisions][:2] == ["上报隐患", "交办整改"] and len(decisions) == 11
    deadlines = [(row[1], row[6]) for row in book["整改时限"].iter_rows(min_row=3, values_only=True)]
    assert deadlines == [
        ("2025-03-31", "到期前已调整"),
        ("2025-04-30", "逾期未完成"),
        ("2025-06-30", "到期前已调整"),
        ("2025-07-31", "按期完成"),
    ]


def test_every_export_and_view_lands_on_an_intact_audit_chain(client, world, hazard):
    login(client, world, "auditor")
    for name in ("review", "review_pdf", "review_xlsx"):
        client.get(review_url(name, hazard))
    client.get(reverse("audit:findings"))
    client.get(reverse("audit:chains"))
    kinds = list(AuditEvent.objects.order_by("seq").values_list("kind", "seq"))
    assert kinds == [
        (AuditEventKind.REVIEW_VIEWED, 1),
        (AuditEventKind.REVIEW_EXPORTED_PDF, 2),
        (AuditEventKind.REVIEW_EXPORTED_XLSX, 3),
        (AuditEventKind.FINDINGS_VIEWED, 4),
        (AuditEventKind.CHAINS_VERIFIED, 5),
    ]
    assert all(s.broken is None for s in verify_all_chains())


def test_the_findings_page_lists_the_repeated_extension(client, world, hazard):
    response = login(client, world, "auditor").get(reverse("audit:findings") + "?start=2025-01-01&end=2025-12-31")
    text = response.content.decode()
    assert response.status_code == 200 and "多次延期（1）" in text and f"#{hazard.pk}" in text


def test_a_district_review_covers_only_the_district_and_sensitive_cases_only_for_the_city(client, world, hazard):
    other = make_hazard(world, state="assigned", school="school_b1", title="钟楼区的隐患")
    response = login(client, world, "auditor").get(
        reverse("audit:review") + f"?kind=district&id={world.district_a.pk}&start=2025-01-01&end=2030-12-31"
    )
    text = response.content.decode()
    assert hazard.title in text and other.title not in text


def test_the_as_of_page_shows_the_hazard_as_it_stood_with_changes_highlighted(client, world, hazard):
    url = reverse("audit:hazard_as_of", args=[hazard.pk]) + "?at=2025-05-10T12:00"
    response = login(client, world, "staff_a1").get(url)  # anyone who may see the hazard
    assert response.status_code == 200
    text = response.content.decode()
    assert "<mark>已提请党委政府协调</mark>" in text and "<mark>2025-04-30</mark>" in text
    assert "由城管局牵头拆除违建" not in text.split("此后的变化")[0]
    assert AuditEvent.objects.get().kind == AuditEventKind.HAZARD_AS_OF_VIEWED


def test_the_as_of_page_of_a_foreign_hazard_is_not_found(client, world, hazard):
    assert login(client, world, "staff_b1").get(reverse("audit:hazard_as_of", args=[hazard.pk])).status_code == 404
    assert AuditEvent.objects.count() == 0


def test_the_period_defaults_and_the_index_lists_subjects(client, world, hazard):
    response = login(client, world, "auditor").get(reverse("audit:index"))
    assert response.status_code == 200 and "局前街小学" in response.content.decode()
    assert timezone.localdate().isoformat() in response.content.decode()
