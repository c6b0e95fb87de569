"""The province generator and the benchmark run end to end at a tiny size, so they cannot rot.

The figures themselves are never asserted: they depend on the machine. What is asserted is that the
generated data is what the services would have written (states, history, chains) and that the bench
prints every row of its table.
"""

from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from casework.audit.chain import verify_hazard_chains
from casework.models import Hazard, HazardState, HazardTransition, Membership, OrgKind, OrgUnit, Role
from casework.selectors.ledger import LedgerFilters, ledger_for, ledger_page
from casework.services import transitions as svc
from tools.bench.generate import generate_province
from tools.bench.run import Floor, assign_through_service, find_setting, render_table, report_hazards, run_bench


def test_generate_province_builds_units_people_and_hazards_whose_chains_verify(db):
    p = generate_province(schools=30, hazards=300, seed=3)
    assert OrgUnit.objects.filter(kind=OrgKind.SCHOOL).count() == 30
    assert OrgUnit.objects.filter(kind=OrgKind.POLICE_STATION).exists()
    assert Membership.objects.filter(role=Role.DISTRICT_OFFICER).count() == len(p.districts)
    assert Membership.objects.filter(role=Role.SCHOOL_STAFF).count() == 30
    assert Hazard.objects.count() == 300
    assert verify_hazard_chains() == []


def test_every_generated_hazard_has_the_records_and_history_of_its_state(db):
    generate_province(schools=30, hazards=300, seed=4)
    history = Hazard.history.model
    for h in Hazard.objects.all():
        records = list(HazardTransition.objects.filter(hazard=h).order_by("id"))
        assert records[0].name == "report" and records[-1].to_state == h.state
        assert [r.from_state for r in records[1:]] == [r.to_state for r in records[:-1]]
        assert [r.occurred_at for r in records] == sorted(r.occurred_at for r in records)
        assert history.objects.filter(id=h.pk).count() == len(records)
        assert history.objects.filter(id=h.pk).latest("history_date").state == h.state


def test_generated_hazards_spread_over_states_and_include_overdue_ones(db):
    generate_province(schools=30, hazards=300, seed=5)
    states = dict(Hazard.objects.values_list("state").annotate(n=Count("id")))
    assert states.get(HazardState.VERIFIED, 0) > 0 and len(states) >= 4
    overdue = [h for h in Hazard.objects.exclude(deadline=None) if h.is_overdue()]
    assert overdue


def test_a_transition_through_the_service_continues_a_generated_chain(db):
    generate_province(schools=30, hazards=300, seed=6)
    setting = find_setting()
    hazard = Hazard.objects.filter(state=HazardState.REPORTED, district=setting.district, sensitive=False).first()
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=setting.officer,
        responsible_person="王主任",
        measures="整改",
        deadline=timezone.localdate(),
        occurred_at=timezone.now(),
    )
    assert verify_hazard_chains() == []


def test_the_generate_province_command_reports_what_it_made(db):
    out = StringIO()
    call_command("generate_province", schools=30, hazards=300, seed=2, verify=True, stdout=out)
    assert "300 条隐患" in out.getvalue() and "哈希链校验通过" in out.getvalue()


def test_the_bench_prints_every_row_of_its_table(transactional_db):
    # Committed data: on PostgreSQL the bench's concurrent clients read it on their own connections.
    generate_province(schools=30, hazards=300, seed=7)
    report = run_bench(repeats=2, export_rows=200)
    names = [r.name for r in report.rows]
    for part in ("一次完整流转", "台账查询", "台账整页", "Excel 导出", "附件2", "PDF"):
        assert any(part in n for n in names), part
    table = render_table(report)
    assert table.count("\n") >= len(report.rows) + 1
    assert verify_hazard_chains() == []  # the floor's raw writes keep the chain whole


def test_the_bench_command_generates_what_is_missing_and_prints_the_table(transactional_db):
    out = StringIO()
    call_command("bench", hazards=300, schools=30, repeats=2, export_rows=100, stdout=out, stderr=StringIO())
    assert Hazard.objects.count() >= 300
    assert "SQL 底线" in out.getvalue()


def test_the_ledger_page_counts_only_up_to_its_cap(db):
    generate_province(schools=30, hazards=300, seed=8)
    setting = find_setting()
    hazards = ledger_for(setting.city_admin, LedgerFilters())
    page = ledger_page(hazards, 2, per_page=10, cap=25)
    assert page.capped and page.count_display == "25+" and page.num_pages is None
    assert len(page) == 10 and page.has_next and page.has_previous
    whole = ledger_page(hazards, 1, per_page=10, cap=100000)
    assert not whole.capped and whole.count == hazards.count() and whole.num_pages == -(-whole.count // 10)
    assert ledger_page(hazards, 10**6, per_page=10, cap=25).number == 3  # past the end: the last counted page


def test_the_floor_writes_what_the_service_writes_for_one_assignment(db):
    """The floor is honest only if its raw SQL leaves the rows the service leaves (ids and times aside)."""
    from notifications.models import Notification
    from tests.workflows.test_flow_direct_step import task_graph

    generate_province(schools=30, hazards=300, seed=9)
    setting = find_setting()
    by_service, by_floor = report_hazards(setting, 2)
    assign_through_service(setting, by_service)
    Floor().assign(setting, by_floor)

    def written(hazard_id):
        hazard = Hazard.objects.get(pk=hazard_id)
        history = Hazard.history.filter(id=hazard_id).latest("history_date")
        notes = [
            (
                n.recipient.memberships.get().org_unit_id == hazard.school_id,
                n.title.replace(f"#{hazard_id}", "#"),
                n.body == hazard.school.name,
                n.url == hazard.get_absolute_url(),
                n.deliveries.count(),
            )
            for n in Notification.objects.filter(event="hazard.assign", url__endswith=f"/{hazard_id}/")
        ]
        records = [
            (r.name, r.from_state, r.to_state, r.actor_id, r.actor_role, r.payload, r.comment)
            for r in HazardTransition.objects.filter(hazard_id=hazard_id, seq__gt=0)
            .exclude(name="report")
            .order_by("seq")
        ]
        return {
            "state": hazard.state,
            "plan": (hazard.responsible_person, hazard.measures, hazard.deadline, hazard.deadline_basis),
            "history": (
                Hazard.history.filter(id=hazard_id).count(),
                history.history_type,
                history.history_change_reason,
                history.history_user_id,
                history.state,
            ),
            "records": records,
            "notifications": notes,
            "flow": task_graph(hazard),
        }

    floor, service = written(by_floor), written(by_service)
    for key in service:
        assert floor[key] == service[key], (key, floor[key], service[key])
    assert verify_hazard_chains() == []
