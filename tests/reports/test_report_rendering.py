"""The rendered forms: every caption of the paper form in the PDF, the same numbers in the workbook,
the CJK font embedded, and nothing sensitive on the education side's copy."""

import re

from casework.access import ReportSide, hazards_for_side
from casework.models import OrgUnit, SchoolReturn
from casework.reports import pdf, xlsx
from casework.reports.layouts import (
    CITY_COLUMNS,
    DISTRICT_COLUMNS,
    SCHOOL_FORM_FOOTER,
    SCHOOL_FORM_LABELS,
    build_report,
)

from .helpers import pdf_fonts, pdf_text, row_with, sheet, sheet_rows, squeeze

EDU, POLICE = ReportSide.EDUCATION, ReportSide.POLICE


def report(world, campaign, scenario, form, unit, side=EDU, **moment):
    return build_report(
        form=form,
        unit=unit,
        campaign=campaign,
        moment=scenario.moment(**moment),
        side=side,
        hazards=hazards_for_side(side),
        units=OrgUnit.objects.all(),
    )


def make_return(world, campaign, **fields):
    values = dict(
        status="confirmed",
        task_force_established="yes",
        task_force_head="张建国",
        guards_count=6,
        certified_guards_count=5,
        overage_guards_count=1,
        panic_button_dormitory="na",
        surrounding_order_problems="校门口流动摊贩占道",
        surrounding_problems_rectified="yes",
        instability_factors="无",
        instability_factors_unresolved="一起家长投诉未化解",
        sensitive_notes="涉校重点人员甲某动态",
        principal_name="李校长",
        police_chief_name="周所长",
        work_report="已完成全面排查。",
    )
    values.update(fields)
    return SchoolReturn.objects.create(campaign=campaign, school=world.school_a1, created_by=world.staff_a1, **values)


# Seed 000, 附件1, every caption in the order printed (the seed's own "电器火灾" included).
SEED_FORM_CAPTIONS = [
    "是否成立工作专班",
    "专班负责人",
    "学校假期是否有值班表",
    "领导是否带班",
    "门卫、巡查、隐患排查制度是否健全",
    "保安员人数",
    "保安员持证上岗人数",
    "超龄保安员人数",
    "视频监控保存天数是否达30天",
    "视频探头数量",
    "围墙周界有无防入侵报警系统",
    "重点要害部位有无防入侵报警",
    "一键报警有无",
    "门卫",
    "学生宿舍（无宿舍填“/”）",
    "技防系统是否全部正常运行",
    "隔离栏有无",
    "硬质防冲撞设施有无",
    "升降柱有无",
    "是否开展电气火灾安全综合治理",
    "电器火灾隐患整改情况",
    "危险化学品安全管理三防措施是否落实",
    "校园周边治安乱点情况",
    "涉校不稳定因素情况",
    "校车等安全隐患情况",
    "假期学生安全教育情况",
    "假期师生团体活动",
    "次数",
    "总人数",
    "安全是否由校级领导直接负责",
    "排查出的总隐患数",
    "隐患整改数",
    "未整改隐患数",
    "排查整改工作情况报告",
]


def test_the_school_form_pdf_carries_every_caption_of_the_paper_form(world, campaign, scenario):
    assert SCHOOL_FORM_LABELS == SEED_FORM_CAPTIONS
    text = squeeze(pdf_text(pdf.render(report(world, campaign, scenario, "school", world.school_a1))))
    for label in SEED_FORM_CAPTIONS + [
        "附件1",
        "学校及周边安全排查整改情况报表",
        "单位名称",
        "填表日期",
        "（无校车等用“/”）",
        SCHOOL_FORM_FOOTER,
        "校长：",
        "所长：",
        "局前街小学",
    ]:
        assert squeeze(label) in text, label


def test_the_district_and_city_pdfs_carry_their_column_captions(world, campaign, scenario):
    district = squeeze(pdf_text(pdf.render(report(world, campaign, scenario, "district", world.district_a))))
    for label in DISTRICT_COLUMNS + ["附件2", "学校及周边安全排查整改情况汇总表（区）", "合计"]:
        assert squeeze(label) in district, label
    city = squeeze(pdf_text(pdf.render(report(world, campaign, scenario, "city", world.city))))
    for label in CITY_COLUMNS + ["学校及周边安全排查整改情况汇总表（市）", "天宁区", "钟楼区", "合计"]:
        assert label in city, label


def test_every_rendered_report_prints_both_moments_and_the_fingerprint(world, campaign, scenario):
    r = report(world, campaign, scenario, "district", world.district_a, known_at=scenario.before_late_entry)
    text = squeeze(pdf_text(pdf.render(r)))
    assert "统计截至：2019-07-3123:59:59+0800" in text
    assert squeeze(r.meta_lines()[0]) in text and r.fingerprint in text
    cells = [c for row in sheet_rows(xlsx.render(r)) for c in row if isinstance(c, str)]
    assert any(r.fingerprint in c for c in cells) and any("数据录入截至" in c for c in cells)


def test_the_pdf_is_set_in_the_embedded_cjk_font(world, campaign, scenario, tmp_path):
    fonts = pdf_fonts(pdf.render(report(world, campaign, scenario, "school", world.school_a1)), tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:]]
    # Every font in the file is the CJK one, embedded (emb = yes): no fallback that would print boxes.
    assert rows and all("WenQuanYi" in row[0] and row[-5] == "yes" for row in rows)


def test_the_school_form_workbook_holds_the_same_counts_as_the_pdf(world, campaign, scenario):
    r = report(world, campaign, scenario, "school", world.school_a1)
    layout = pdf_text(pdf.render(r), layout=True)
    line = next(line for line in layout.splitlines() if "排查出的总隐患数" in line)
    pdf_numbers = [int(n) for n in re.findall(r"\d+", line)]
    row = row_with(sheet_rows(xlsx.render(r)), "排查出的总隐患数")
    xlsx_numbers = [c for c in row if isinstance(c, int)]
    assert pdf_numbers == xlsx_numbers == [4, 1, 3]


def test_the_district_workbook_holds_the_same_numbers_as_the_pdf_and_merges_its_headers(world, campaign, scenario):
    r = report(world, campaign, scenario, "district", world.district_a)
    layout = pdf_text(pdf.render(r), layout=True).splitlines()
    data = xlsx.render(r)
    rows = sheet_rows(data)
    for school in ("局前街小学", "第二十四中学"):
        pdf_line = next(line for line in layout if school in line)
        xlsx_row = row_with(rows, school)
        assert [int(n) for n in re.findall(r"\b\d+\b", pdf_line)] == [c for c in xlsx_row if isinstance(c, int)]
    totals_line = next(line for line in layout if "合计" in line)
    totals_row = next(row for row in rows if row[0] and str(row[0]).startswith("合计"))
    assert (
        [int(n) for n in re.findall(r"\b\d+\b", totals_line.split("）")[-1])]
        == [c for c in totals_row if isinstance(c, int)]
        == [7, 2]
    )
    merged = {str(m) for m in sheet(data).merged_cells.ranges}
    assert "A2:H2" in merged  # the title across the table
    assert any(m.startswith("A") and ":C" in m for m in merged)  # 合计 across 区域, 属地派出所, 学校名称


def test_the_city_workbook_holds_the_same_numbers_as_the_pdf(world, campaign, scenario):
    r = report(world, campaign, scenario, "city", world.city)
    layout = pdf_text(pdf.render(r), layout=True).splitlines()
    rows = sheet_rows(xlsx.render(r))
    for label in ("天宁区", "钟楼区", "合计"):
        pdf_line = next(line for line in layout if line.strip().startswith(label))
        numbers = [int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.%])", pdf_line)]
        assert numbers == [c for c in row_with(rows, label) if isinstance(c, int)]


def test_the_school_form_prints_the_return_as_it_stood_at_known_at(world, campaign, scenario):
    school_return = make_return(world, campaign)
    text = squeeze(pdf_text(pdf.render(report(world, campaign, scenario, "school", world.school_a1))))
    for answer in ("张建国", "是", "校门口流动摊贩占道", "李校长", "周所长", "已完成全面排查。"):
        assert answer in text
    workbook = [
        c for row in sheet_rows(xlsx.render(report(world, campaign, scenario, "school", world.school_a1))) for c in row
    ]
    assert 6 in workbook and "张建国" in workbook and "/" in workbook
    # Before the return was entered, the form shows the school's answers blank.
    early = squeeze(
        pdf_text(
            pdf.render(
                report(world, campaign, scenario, "school", world.school_a1, known_at=scenario.before_late_entry)
            )
        )
    )
    assert "张建国" not in early
    assert school_return.pk


def test_sensitive_notes_and_hazards_stay_off_the_education_copy(world, campaign, scenario):
    make_return(world, campaign)
    education = report(world, campaign, scenario, "school", world.school_a1, side=EDU)
    police = report(world, campaign, scenario, "school", world.school_a1, side=POLICE)
    edu_text = squeeze(pdf_text(pdf.render(education)))
    police_text = squeeze(pdf_text(pdf.render(police)))
    assert "涉校重点人员甲某动态" not in edu_text
    assert "涉校重点人员甲某动态" in police_text
    assert "不含涉密/敏感隐患" in edu_text and "含涉密/敏感隐患" in police_text
    edu_cells = [c for row in sheet_rows(xlsx.render(education)) for c in row]
    police_cells = [c for row in sheet_rows(xlsx.render(police)) for c in row]
    assert all("甲某" not in str(c) for c in edu_cells)
    # The sensitive hazard (#8, verified) is counted on the police side only: 4/1/3 against 5/2/3.
    assert education.figures["counts"] == {"total": 4, "rectified": 1, "unrectified": 3}
    assert police.figures["counts"] == {"total": 5, "rectified": 2, "unrectified": 3}
    assert row_with(sheet_rows(xlsx.render(police)), "排查出的总隐患数")[1] == 5
    assert education.fingerprint != police.fingerprint
    assert len([c for c in police_cells if c is not None]) > 0


def test_the_district_table_shows_each_schools_return_answers(world, campaign, scenario):
    make_return(world, campaign)
    r = report(world, campaign, scenario, "district", world.district_a)
    row = row_with(sheet_rows(xlsx.render(r)), "局前街小学")
    assert row[:8] == ["天宁区", "红梅派出所", "局前街小学", "校门口流动摊贩占道", "是", 4, 1, "一起家长投诉未化解"]
    other = row_with(sheet_rows(xlsx.render(r)), "第二十四中学")
    assert other[3:5] == [None, None] and other[5:7] == [3, 1]


def test_the_school_form_fits_one_a4_page_like_the_paper_form_and_the_district_table_is_landscape(
    world, campaign, scenario
):
    from io import BytesIO

    from pypdf import PdfReader

    make_return(world, campaign)
    school = PdfReader(BytesIO(pdf.render(report(world, campaign, scenario, "school", world.school_a1, side=POLICE))))
    assert len(school.pages) == 1
    box = school.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
    district = PdfReader(BytesIO(pdf.render(report(world, campaign, scenario, "district", world.district_a))))
    box = district.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
