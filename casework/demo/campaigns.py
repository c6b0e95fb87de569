"""The two seed campaigns as demo data, with inspections and school returns, through the services.

Idempotent: a campaign is looked up by its code; when it exists, nothing of it is created again.
"""

from datetime import date, datetime

from django.utils import timezone

from casework.catalogue import load_catalogue
from casework.models import (
    Campaign,
    ChecklistCategory,
    ChecklistItem,
    InspectionKind,
    KeyPlace,
    ResultOutcome,
)
from casework.services import campaigns as svc

SEED_004 = {
    "code": "changzhou-2019-school-safety-risks",
    "name": "全市学校安全风险隐患专项整治",
    "issuing_document": "全市学校安全风险隐患专项整治工作方案",
    "issued_by": "常州市教育局",
    "description": "围绕实验室及危化品安全、消防安全、治安防控、食品安全、校车及交通安全、建筑与施工安全、"
    "实习实训安全等"
    "学校安全重点环节，通过全面排查、滚动治理、压茬推进，彻底整治一批学校安全重大风险隐患。从即日起至9月底。",
    "starts_on": date(2019, 4, 1),
    "ends_on": date(2019, 9, 30),
    "statistics_cutoff": None,
    "report_due": date(2019, 9, 30),
    "phases": [
        ("动员部署阶段", date(2019, 4, 30), "市教育局印发《全市学校安全风险专项整治工作方案》，部署专项整治工作。"),
        (
            "隐患排查阶段",
            date(2019, 5, 31),
            "深入实施全面彻底的学校安全风险隐患排查，将排查出的风险隐患列出清单、建立台账。",
        ),
        ("整改落实阶段", date(2019, 7, 31), "对排查出的安全风险隐患，逐一制定整改方案，落实整改措施。"),
        (
            "总结巩固阶段",
            date(2019, 9, 30),
            "组织开展明查暗访、督查检查；9月底前各辖市区教育部门和直属学校报送专项整治工作总结。",
        ),
    ],
    "categories": "seed_004",
}
SEED_000 = {
    "code": "changzhou-2019-school-surroundings",
    "name": "全面开展学校及周边安全排查整改",
    "issuing_document": "常州市全面开展学校及周边安全排查整改进一步加强学校安全防范工作方案",
    "issued_by": "常州市教育局、常州市公安局",
    "description": "从即日起至7月31日集中开展校园安全隐患排查整改工作；市教育局和市公安局于7月25日起组织开展工作督查；"
    "8月7日前报送排查整改工作情况报告（有关统计数据截至7月31日）。文件未注明年份，演示数据按2019年设置。",
    "starts_on": date(2019, 6, 1),
    "ends_on": date(2019, 7, 31),
    "statistics_cutoff": date(2019, 7, 31),
    "report_due": date(2019, 8, 7),
    "phases": [
        ("集中排查整改", date(2019, 7, 31), "逐校检查人防、物防、技防建设情况，边排查、边整改、边落实。"),
        (
            "报送排查整改工作情况报告",
            date(2019, 8, 7),
            "将排查整改工作情况报告分别报送到市教育局和市公安局（统计数据截至7月31日）。",
        ),
    ],
    "categories": "seed_000",
}

SCHOOL_RETURN = {
    "task_force_established": "yes",
    "task_force_head": "张校长",
    "holiday_duty_roster": "yes",
    "leader_on_duty": "yes",
    "gate_patrol_rules_sound": "yes",
    "guards_count": 4,
    "certified_guards_count": 4,
    "overage_guards_count": 0,
    "video_retention_30_days": "yes",
    "camera_count": 86,
    "perimeter_intrusion_alarm": "have",
    "key_area_intrusion_alarm": "have",
    "panic_button_gate": "have",
    "panic_button_dormitory": "na",
    "tech_systems_working": "yes",
    "barriers": "have",
    "anti_ramming_facilities": "have",
    "bollards": "none",
    "electrical_fire_campaign": "yes",
    "electrical_fire_rectification": "已完成教学楼电气线路检测，私拉乱接问题已整改。",
    "chemicals_three_precautions": "yes",
    "school_bus_hazards": "/",
    "holiday_safety_education": "放假前开展防溺水、交通安全专题教育，覆盖全体学生。",
    "holiday_activities_count": 2,
    "holiday_activities_people": 120,
    "holiday_activities_led_by_leader": "yes",
    "work_report": "学校成立工作专班，对照检查表逐项排查，发现问题已全部登记入台账并落实整改。",
    "principal_name": "张校长",
}
POLICE_PART = {
    "surrounding_order_problems": "校门口早晚高峰占道经营摊点",
    "surrounding_problems_rectified": "yes",
    "instability_factors": "无",
    "instability_factors_unresolved": "无",
    "police_chief_name": "李所长",
}


def _at(*ymd) -> datetime:
    return timezone.make_aware(datetime(*ymd, 10, 0))


def _campaign(spec, admin) -> tuple[Campaign, bool]:
    existing = Campaign.objects.filter(code=spec["code"]).first()
    if existing:
        return existing, False
    categories = ChecklistCategory.objects.filter(source=spec["categories"]).values_list("pk", flat=True)
    campaign = svc.campaign_create(
        actor=admin,
        code=spec["code"],
        name=spec["name"],
        issuing_document=spec["issuing_document"],
        issued_by=spec["issued_by"],
        description=spec["description"],
        starts_on=spec["starts_on"],
        ends_on=spec["ends_on"],
        statistics_cutoff=spec["statistics_cutoff"],
        report_due=spec["report_due"],
        phases=[svc.PhaseInput(name, due, text) for name, due, text in spec["phases"]],
        checklist_category_ids=list(categories),
    )
    return campaign, True


def _results(campaign, fails: dict[str, str], *, take: int = 8) -> list[svc.ResultInput]:
    """Pass the first ``take`` items, fail those whose text contains a key of ``fails`` (the value is the note)."""
    items = list(
        ChecklistItem.objects.filter(
            category__in=campaign.checklist_categories.all(), active=True, parent__isnull=True
        ).order_by("category__position", "position")
    )
    results, failed = [], set()
    for item in items:
        note = next((n for key, n in fails.items() if key in item.text and key not in failed), None)
        if note:
            failed.add(next(k for k in fails if k in item.text))
            results.append(svc.ResultInput(item.pk, ResultOutcome.FAIL, note))
        elif len(results) < take:
            results.append(svc.ResultInput(item.pk, ResultOutcome.PASS))
    return results


def build_campaigns(people) -> int:
    """Both seed campaigns with inspections and returns in every district; returns how many campaigns were created."""
    load_catalogue(ChecklistCategory, ChecklistItem)
    admin, city_supervisor = people["city_admin"], people["city_supervisor"]
    if not admin.is_staff:  # the catalogue is edited in the admin site (scoped to the city administrator)
        admin.is_staff = True
        admin.save(update_fields=["is_staff"])
    created = 0

    risks, new = _campaign(SEED_004, admin)
    if new:
        created += 1
        for _slug, p in people["districts"].items():
            schools = p["schools"]
            svc.inspection_conduct(
                actor=p["school"],
                campaign_id=risks.pk,
                school_id=schools[1].pk,
                kind=InspectionKind.SELF_INSPECTION,
                inspectors=f"{schools[1].name}安全工作领导小组",
                inspected_on=date(2019, 5, 20),
                key_places=[KeyPlace.LABORATORY, KeyPlace.CANTEEN],
                results=_results(
                    risks, {"危险源的采购": "化学实验室危化品使用台帐记录不全。", "陪餐制度": "校领导陪餐记录缺失。"}
                ),
                summary="对照七类检查项逐项自查。",
            )
            svc.inspection_conduct(
                actor=p["supervisor"],
                campaign_id=risks.pk,
                school_id=schools[2].pk,
                kind=InspectionKind.SUPERVISION_INSPECTION,
                inspectors=f"{p['district'].name}督导组",
                inspected_on=date(2019, 7, 10),
                key_places=[KeyPlace.DORMITORY, KeyPlace.TEACHING_BUILDING],
                results=_results(risks, {"疏散通道是否畅通": "学生宿舍三楼疏散通道堆放杂物。"}),
                summary="集中督查，重点检查消防和宿舍安全。",
            )
            # An unannounced visit planned by the city and not yet recorded: the school does not see it.
            svc.inspection_plan(
                actor=city_supervisor,
                campaign_id=risks.pk,
                school_id=schools[3].pk,
                kind=InspectionKind.UNANNOUNCED_VISIT,
                inspectors="市教育局督查组",
                inspected_on=date(2019, 9, 20),
                key_places=[KeyPlace.GATE, KeyPlace.SURROUNDINGS],
            )

    surroundings, new = _campaign(SEED_000, admin)
    if new:
        created += 1
        for _slug, p in people["districts"].items():
            schools = p["schools"]
            svc.inspection_conduct(
                actor=p["school"],
                campaign_id=surroundings.pk,
                school_id=schools[1].pk,
                kind=InspectionKind.SELF_INSPECTION,
                inspectors=f"{schools[1].name}工作专班",
                inspected_on=date(2019, 7, 5),
                key_places=[KeyPlace.GATE],
                results=_results(surroundings, {"升降柱有无": "校门口未安装升降柱。"}),
            )
            # School 1: submitted and confirmed by its station; school 2: submitted, awaiting the station.
            ret = svc.return_start(actor=p["school"], campaign_id=surroundings.pk, school_id=schools[1].pk)
            svc.return_submit(
                actor=p["school"],
                return_id=ret.pk,
                fields={**SCHOOL_RETURN, "filled_on": date(2019, 8, 5)},
                occurred_at=_at(2019, 8, 5),
            )
            svc.return_confirm(actor=p["police"], return_id=ret.pk, fields=POLICE_PART, occurred_at=_at(2019, 8, 6))
            ret2 = svc.return_start(actor=p["school2"], campaign_id=surroundings.pk, school_id=schools[2].pk)
            svc.return_save(
                actor=p["school2"],
                return_id=ret2.pk,
                fields={k: v for k, v in SCHOOL_RETURN.items() if k != "principal_name"},
            )
    return created
