"""The review answers "who was responsible on date X" from the transition records and the history rows
of a scripted five-month history (tests/audit/scripted.py); every expected answer is worked out by hand."""

from datetime import date

import pytest
from django.utils import timezone

from casework.audit.review import build_review, hazard_as_of, responsible_at, review_hazard
from notifications.models import Notification
from tests.audit.scripted import at, scripted_hazard


@pytest.fixture
def hazard(world):
    return scripted_hazard(world)


# moment → (state, responsible person, whose move (role label), handler unit, deadline, overdue, units charged)
BY_HAND = [
    (at(3, 1, 12), ("", "", "", "", None, False, "")),
    (at(3, 3, 12), ("reported", "", "区教育局安全干部", "天宁区", None, False, "")),
    (at(3, 10, 12), ("assigned", "王主任", "学校安全员", "局前街小学", date(2025, 3, 31), False, "")),
    # The 03-31 deadline was extended on 03-20: on 04-01 nothing is overdue.
    (at(4, 1, 12), ("temporary_measures", "王主任", "学校安全员", "局前街小学", date(2025, 4, 30), False, "")),
    (at(4, 26, 12), ("rectified", "王主任", "督导验收员", "天宁区", date(2025, 4, 30), False, "")),
    # Rejected on 04-28: back to the school as rework, the deadline of 04-30 passes on it.
    (at(5, 1, 12), ("assigned", "王主任", "学校安全员", "局前街小学", date(2025, 4, 30), True, "")),
    (at(5, 10, 12), ("escalated", "王主任", "党委政府协调", "天宁区党委政府", date(2025, 4, 30), True, "")),
    (
        at(6, 1, 12),
        ("temporary_measures", "王主任", "学校安全员", "局前街小学", date(2025, 6, 30), False, "城管局、市场监管局"),
    ),
    (
        at(7, 1, 12),
        ("temporary_measures", "王主任", "学校安全员", "局前街小学", date(2025, 7, 31), False, "城管局、市场监管局"),
    ),
    (at(8, 1, 12), ("verified", "王主任", "", "", date(2025, 7, 31), False, "城管局、市场监管局")),
]


@pytest.mark.parametrize(("moment", "expected"), BY_HAND, ids=[m.strftime("%m-%d") for m, _ in BY_HAND])
def test_who_was_responsible_on_each_date_is_answered_from_history(hazard, moment, expected):
    who = responsible_at(hazard, moment)
    got = (
        who.state,
        who.responsible_person,
        who.handler_role_label,
        who.handler_unit,
        who.deadline,
        who.overdue,
        who.units_charged,
    )
    assert got == expected


def test_the_answer_does_not_follow_an_edit_made_today(hazard):
    # A correction outside the services (as through the admin) is history too, dated when it was made.
    hazard.responsible_person = "李老师"
    hazard._change_reason = "admin_edit"
    hazard.save()
    assert responsible_at(hazard, at(7, 1, 12)).responsible_person == "王主任"
    assert responsible_at(hazard, timezone.now()).responsible_person == "李老师"
    review = build_review_for(hazard, date(2025, 3, 1), timezone.localdate())
    edit = review.decisions[-1]
    assert edit.record is None and ("责任人", "王主任 → 李老师") in edit.changes


def build_review_for(hazard, start, end):
    from casework.audit.review import end_of_day, start_of_day

    return review_hazard(hazard, start_of_day(start), end_of_day(end))


def test_each_deadline_in_force_is_judged_met_missed_or_superseded(hazard):
    review = build_review_for(hazard, date(2025, 3, 1), date(2025, 8, 31))
    got = [(d.deadline, d.set_by, d.outcome) for d in review.deadlines]
    assert got == [
        (date(2025, 3, 31), "officer_a", "superseded"),  # extended on 03-20, before it fell due
        (date(2025, 4, 30), "officer_a", "missed"),  # on 04-30 the case was back in rework
        (date(2025, 6, 30), "party_a", "superseded"),  # the committee's date, extended on 06-16
        (date(2025, 7, 31), "officer_a", "met"),  # fixed on 07-25, verified on 07-28
    ]
    missed = review.deadlines[1]
    assert missed.completed_at == at(7, 25, 15)


def test_the_review_lists_every_decision_with_actor_role_unit_and_evidence(hazard):
    review = build_review_for(hazard, date(2025, 3, 1), date(2025, 8, 31))
    rows = [
        (d.record.name, d.record.actor.username, d.record.get_actor_role_display(), d.record.actor_unit.name)
        for d in review.decisions
    ]
    assert rows == [
        ("report", "staff_a1", "学校安全员", "局前街小学"),
        ("assign", "officer_a", "区教育局安全干部", "天宁区"),
        ("record_temporary_measures", "staff_a1", "学校安全员", "局前街小学"),
        ("change_deadline", "officer_a", "区教育局安全干部", "天宁区"),
        ("report_rectified", "staff_a1", "学校安全员", "局前街小学"),
        ("reject", "supervisor_a", "督导验收员", "天宁区"),
        ("escalate", "officer_a", "区教育局安全干部", "天宁区"),
        ("record_coordination", "party_a", "党委政府协调", "天宁区党委政府"),
        ("change_deadline", "officer_a", "区教育局安全干部", "天宁区"),
        ("report_rectified", "staff_a1", "学校安全员", "局前街小学"),
        ("verify", "supervisor_a", "督导验收员", "天宁区"),
    ]
    fixes = [d for d in review.decisions if d.record.name == "report_rectified"]
    stored = [list(hazard.evidence.filter(transition=d.record).values_list("sha256", flat=True)) for d in fixes]
    assert [d.evidence for d in fixes] == stored and all(len(e) == 1 and len(e[0]) == 64 for e in stored)
    # Entered today for moments months ago: each shows as a late entry.
    assert all(d.late_entry for d in review.decisions)
    assert ("原整改时限", "2025-03-31") in review.decisions[3].changes
    assert ("等级", "重大") in review.decisions[0].changes and ("重点部位", "周边") in review.decisions[0].changes


def test_reworks_extensions_and_escalations_with_their_justification(hazard):
    review = build_review_for(hazard, date(2025, 3, 1), date(2025, 8, 31))
    assert [r.payload["reason"] for r in review.reworks] == ["违建未拆除，整改不彻底"]
    assert [(e.previous_deadline, e.deadline, e.reason, e.temporary_measures) for e in review.extensions] == [
        ("2025-03-31", "2025-04-30", "材料采购周期长", "设置围挡并专人值守"),
        ("2025-06-30", "2025-07-31", "联合执法排期", "设置围挡并专人值守"),
    ]
    [escalation] = review.escalations
    assert escalation.record.payload["reason"] == "需城管、市场监管联合执法"
    assert escalation.decision.payload["decision"] == "由城管局牵头拆除违建"


def test_a_period_shows_only_what_happened_or_held_within_it(hazard):
    review = build_review_for(hazard, date(2025, 5, 1), date(2025, 5, 31))
    assert [d.record.name for d in review.decisions] == ["escalate", "record_coordination"]
    assert [p.who.state for p in review.periods] == ["assigned", "escalated", "temporary_measures"]
    assert review.periods[0].start == at(4, 28) and review.periods[0].end == at(5, 6)
    assert review.periods[0].deadline_outcome == "逾期未完成"
    assert review.extensions == [] and review.reworks == []


def test_reminders_sent_are_judged_acted_on_or_ignored_before_the_next_deadline(hazard, world):
    url = hazard.get_absolute_url()
    acted = Notification.objects.create(
        recipient=world.staff_a1, event="hazard.deadline_approaching", title="临近", url=url, created_at=at(3, 25, 9)
    )
    ignored = Notification.objects.create(
        recipient=world.staff_a1, event="hazard.overdue", title="已逾期", url=url, created_at=at(4, 29, 9)
    )
    told = Notification.objects.create(
        recipient=world.officer_a, event="hazard.verify", title="已销号", url=url, created_at=at(7, 28, 11)
    )
    review = build_review_for(hazard, date(2025, 3, 1), date(2025, 8, 31))
    got = {r.notification.pk: (r.status, r.deadline) for r in review.reminders}
    assert got == {
        acted.pk: ("acted", date(2025, 4, 30)),  # the fix was reported on 04-25
        ignored.pk: ("ignored", date(2025, 4, 30)),  # nothing from the school before 04-30 ended
        told.pk: ("informational", None),
    }
    assert [r.notification.pk for r in review.ignored_reminders] == [ignored.pk]


def test_the_review_of_a_district_a_school_and_a_person(hazard, world):
    for kind, subject in [("district", world.district_a), ("school", world.school_a1), ("person", world.officer_a)]:
        review = build_review(world.auditor, kind, subject, date(2025, 3, 1), date(2025, 8, 31))
        assert [h.hazard.pk for h in review.hazards] == [hazard.pk], kind
    person = build_review(world.auditor, "person", world.officer_a, date(2025, 3, 1), date(2025, 8, 31))
    assert [d.record.name for d in person.hazards[0].decisions] == [
        "assign",
        "change_deadline",
        "escalate",
        "change_deadline",
    ]
    assert build_review(world.auditor, "school", world.school_a2, date(2025, 3, 1), date(2025, 8, 31)).hazards == []
    # Closed before the period began: not in a later period's review.
    assert build_review(world.auditor, "district", world.district_a, date(2025, 9, 1), date(2025, 9, 30)).hazards == []


def test_the_hazard_as_it_stood_with_what_changed_since_highlighted(hazard):
    view = hazard_as_of(hazard, at(5, 10, 12))
    fields = {f.name: f for f in view.fields}
    assert fields["state"].then == "已提请党委政府协调" and fields["state"].now == "已验收销号"
    assert fields["state"].changed
    assert fields["deadline"].then == "2025-04-30" and fields["deadline"].now == "2025-07-31"
    assert fields["responsible_person"].then == "王主任" and not fields["responsible_person"].changed
    assert [s.transition.name for s, _ in view.changes_since] == [
        "record_coordination",
        "change_deadline",
        "report_rectified",
        "verify",
    ]
    assert [t.name for t in view.transitions_until][-1] == "escalate"
    before = hazard_as_of(hazard, at(3, 1))
    assert before.step is None and all(f.then == "" for f in before.fields)
