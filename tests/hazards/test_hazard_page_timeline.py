"""The hazard page: its data, evidence thumbnails, the plan and the whole timeline, in Chinese."""

from casework.services import transitions as svc
from tests.factories import Clock, make_hazard


def test_the_hazard_page_shows_the_plan_the_evidence_and_who_did_what_when(client, world):
    clock = Clock()
    hazard = make_hazard(world, state="rectified", major=True, clock=clock)
    svc.hazard_reject(
        hazard_id=hazard.pk, actor=world.supervisor_a, reason="护栏未固定", occurred_at=clock(), comment="请三日内返工"
    )
    client.force_login(world.officer_a)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert "整改方案（五落实）" in page and "专项经费 3 万元" in page and "设置警戒区并专人值守" in page
    assert 'class="card thumbs"' in page and "<img src=" in page
    assert page.count('data-testid="timeline-entry"') == 4
    for text in (
        "上报隐患",
        "交办整改",
        "报告整改完成",
        "验收不通过（返工）",
        "原因：护栏未固定",
        "说明：请三日内返工",
        "责任人：王主任",
        "supervisor_a",
        "督导验收员",
        "待验收 → 整改中",
    ):
        assert text in page, text
    assert "responsible_person" not in page


def test_the_party_committee_sees_an_escalated_hazard_but_not_an_ordinary_one(client, world):
    escalated = make_hazard(world, state="escalated")
    ordinary = make_hazard(world, state="assigned")
    client.force_login(world.party_a)
    assert client.get(escalated.get_absolute_url()).status_code == 200
    assert client.get(ordinary.get_absolute_url()).status_code == 404
