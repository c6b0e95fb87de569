"""Demo listings (挂牌督办) on the Changzhou demo's major hazards, made through the listing services.

Idempotent: nothing is made when the city already has a listing. Each scenario starts only if its
hazard is still where the demo left it, so a database someone has worked in is never forced.
"""

from datetime import timedelta

from django.utils import timezone

from casework.models import Hazard, HazardState, Listing
from casework.services import listings as listing_svc
from casework.services import transitions as svc
from casework.services.listing_checks import check_missing_progress_reports, raise_overdue_listings

from .evidence import photo

GATE = "校门口未设置硬质防冲撞设施"  # major, temporary measures in place
CAFE = "校园周边无证经营网吧"  # major, escalated
SECRET = "校园周边涉校矛盾人员线索"  # major, sensitive, assigned


def _photo():
    return photo("progress.png")


def _hazard(p, title, state) -> Hazard | None:
    return Hazard.objects.filter(district=p["district"], title=title, state=state).first()


def _list(hazard, actor, officer, *, level, number, days_ago, required_in, interval, now):
    at = now - timedelta(days=days_ago)
    listed_on = timezone.localdate(at)
    return listing_svc.hazard_list(
        hazard_id=hazard.pk,
        actor=actor,
        level=level,
        decision_number=number,
        listed_on=listed_on,
        required_by=listed_on + timedelta(days=required_in),
        progress_interval_days=interval,
        occurred_at=at,
        measures="拆除原有设施，按标准加装硬质防冲撞隔离设施；施工期间设置临时隔离护栏。",
        responsible_person="学校校长（第一责任人）、总务处主任",
        funding="区教育局专项安全经费 12 万元",
        contingency_plan="上下学高峰安排保安和护学岗值守，发生险情立即启动校园安全应急预案。",
        supervising_officer_id=officer.pk,
    )


def _progress(listing, actor, *, days_ago, percent, text, now):
    return listing_svc.listing_report_progress(
        listing_id=listing.pk,
        actor=actor,
        work_done=text,
        percent_complete=percent,
        occurred_at=now - timedelta(days=days_ago),
        evidence=[_photo()],
    )


def build_listings(people) -> int:
    """A few listings in several situations: on track, reports missing, overdue and raised, delisted, city-level."""
    now = timezone.now()
    districts = people["districts"]
    city_admin = people["city_admin"]
    made = 0

    # 天宁区: a district listing; reports in the first two weeks, then silence (the due check finds it).
    p = districts["tianning"]
    if hazard := _hazard(p, GATE, HazardState.TEMPORARY_MEASURES):
        listing = _list(
            hazard,
            p["officer"],
            p["officer"],
            level="district",
            number="天教安督〔2026〕3号",
            days_ago=25,
            required_in=45,
            interval=7,
            now=now,
        )
        _progress(listing, p["school"], days_ago=22, percent=20, text="已拆除原有石墩，完成设计方案。", now=now)
        _progress(listing, p["school"], days_ago=15, percent=45, text="隔离桩基础施工完成，临时护栏到位。", now=now)
        made += 1
    # 天宁区, city level: the escalated surroundings case, with a reminder from the city.
    if hazard := _hazard(p, CAFE, HazardState.ESCALATED):
        listing = _list(
            hazard,
            city_admin,
            city_admin,
            level="city",
            number="常教安督〔2026〕1号",
            days_ago=20,
            required_in=40,
            interval=14,
            now=now,
        )
        listing_svc.listing_remind(
            listing_id=listing.pk,
            actor=city_admin,
            occurred_at=now - timedelta(days=3),
            message="请会同公安、文广部门加快取缔进度，三日内报送进展。",
        )
        made += 1

    # 武进区: past its required date with the fix outstanding: raised to the city by the due check.
    p = districts["wujin"]
    if hazard := _hazard(p, GATE, HazardState.TEMPORARY_MEASURES):
        listing = _list(
            hazard,
            p["officer"],
            p["officer"],
            level="district",
            number="武教安督〔2026〕7号",
            days_ago=30,
            required_in=15,
            interval=7,
            now=now,
        )
        _progress(listing, p["school"], days_ago=26, percent=10, text="已委托设计，资金待拨付。", now=now)
        for days_ago, text in ((12, "已超过一半时限，请加快施工。"), (2, "已逾期，请说明原因并限期完成。")):
            listing_svc.listing_remind(
                listing_id=listing.pk, actor=p["officer"], message=text, occurred_at=now - timedelta(days=days_ago)
            )
        made += 1

    # 钟楼区: listed, fixed, verified on site, delisted.
    p = districts["zhonglou"]
    if hazard := _hazard(p, GATE, HazardState.TEMPORARY_MEASURES):
        listing = _list(
            hazard,
            p["officer"],
            p["officer"],
            level="district",
            number="钟教安督〔2026〕2号",
            days_ago=24,
            required_in=30,
            interval=7,
            now=now,
        )
        _progress(listing, p["school"], days_ago=18, percent=60, text="防冲撞立柱安装完成 60%。", now=now)
        svc.hazard_report_rectified(
            hazard_id=hazard.pk,
            actor=p["school"],
            occurred_at=now - timedelta(days=12),
            description="硬质防冲撞设施全部安装完毕并通过验收检测。",
            evidence=[_photo()],
        )
        svc.hazard_verify(
            hazard_id=hazard.pk,
            actor=p["supervisor"],
            occurred_at=now - timedelta(days=10),
            result="现场核查设施安装到位，同意销号。",
        )
        listing_svc.listing_delist(
            listing_id=listing.pk,
            actor=p["officer"],
            decision_number="钟教安摘〔2026〕1号",
            delisted_on=timezone.localdate(now - timedelta(days=8)),
            reason="隐患已整改到位并经现场验收销号，同意摘牌。",
            occurred_at=now - timedelta(days=8),
        )
        made += 1

    # 新北区: a sensitive case, listed by the city; the police station reports progress.
    p = districts["xinbei"]
    if hazard := _hazard(p, SECRET, HazardState.ASSIGNED):
        listing = _list(
            hazard,
            city_admin,
            city_admin,
            level="city",
            number="常公教督〔2026〕1号（涉密）",
            days_ago=21,
            required_in=60,
            interval=14,
            now=now,
        )
        _progress(listing, p["police"], days_ago=9, percent=50, text="已落实重点人员稳控措施，专人包保。", now=now)
        made += 1

    check_missing_progress_reports(now)
    raise_overdue_listings(now)
    return made


def seed_listings(city, people) -> int:
    """Build the demo listings once per city."""
    if Listing.objects.filter(city=city).exists():
        return 0
    return build_listings(people)
