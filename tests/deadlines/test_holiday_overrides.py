"""City admins maintain holidays and make-up workdays: by hand, in the admin, and from Excel."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from casework import errors
from casework.errors import TransitionRefused
from casework.models import HolidayOverride
from casework.services.deadlines import holiday_override_set, holiday_overrides_import, holiday_workbook_template
from casework.workdays import add_working_days

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试）"


def workbook(*rows, header=("日期", "类型", "名称", "依据")) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def overrides() -> list[tuple]:
    return list(HolidayOverride.objects.order_by("date").values_list("date", "is_workday", "name"))


def test_a_city_admin_sets_a_holiday_and_the_history_keeps_who_and_when(world):
    override = holiday_override_set(
        actor=world.city_admin, day=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    assert (override.created_by, override.updated_by) == (world.city_admin, world.city_admin)
    holiday_override_set(actor=world.city_admin, day=date(2027, 1, 1), is_workday=False, name="元旦节")
    override.refresh_from_db()
    assert override.name == "元旦节"
    history = list(override.history.order_by("history_date").values_list("name", "history_user_id", "history_type"))
    assert history == [("元旦", world.city_admin.pk, "+"), ("元旦节", world.city_admin.pk, "~")]


def test_setting_the_same_values_again_writes_no_history(world):
    holiday_override_set(actor=world.city_admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    holiday_override_set(actor=world.city_admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    assert HolidayOverride.history.count() == 1


@pytest.mark.parametrize("who", ["officer_a", "supervisor_city", "staff_a1", "police_a1", "auditor"])
def test_only_a_city_admin_may_maintain_the_calendar(world, who):
    with pytest.raises(TransitionRefused) as refused:
        holiday_override_set(actor=world.users[who], day=date(2027, 1, 1), is_workday=False, name="元旦")
    assert refused.value.code == errors.FORBIDDEN_ROLE
    with pytest.raises(TransitionRefused):
        holiday_overrides_import(actor=world.users[who], file=workbook(("2027-01-01", "放假", "元旦", "")))
    assert overrides() == []


def test_an_override_without_a_name_is_refused(world):
    with pytest.raises(TransitionRefused, match="名称"):
        holiday_override_set(actor=world.city_admin, day=date(2027, 1, 1), is_workday=False, name="  ")
    assert overrides() == []


def test_an_excel_sheet_imports_holidays_and_make_up_days_and_the_count_follows_them(world):
    book = workbook(
        (datetime(2027, 1, 1), "放假", "元旦", NOTICE),
        ("2027/1/2", "休息", "元旦", NOTICE),
        ("2027年1月9日", "上班", "调休上班", NOTICE),
        (None, None, None, None),  # blank rows are skipped
    )
    result = holiday_overrides_import(actor=world.city_admin, file=book, filename="2027.xlsx")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert overrides() == [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 1, 2), False, "元旦"),
        (date(2027, 1, 9), True, "调休上班"),
    ]
    assert HolidayOverride.history.filter(history_change_reason="import:2027.xlsx").count() == 3
    # From Thu 2026-12-31: (Fri 01-01 holiday, Sat 01-02, Sun 01-03) 1 Mon 01-04 … 5 Fri 01-08, 6 Sat 01-09 (make-up).
    assert add_working_days(date(2026, 12, 31), 6) == date(2027, 1, 9)


def test_importing_again_updates_changed_rows_and_counts_unchanged_ones(world):
    holiday_overrides_import(
        actor=world.city_admin,
        file=workbook(("2027-01-01", "放假", "元旦", ""), ("2027-01-09", "上班", "调休上班", "")),
    )
    result = holiday_overrides_import(
        actor=world.city_admin, file=workbook(("2027-01-01", "放假", "元旦", ""), ("2027-01-09", "放假", "更正", ""))
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert overrides()[1] == (date(2027, 1, 9), False, "更正")


def test_a_sheet_with_bad_rows_imports_nothing_and_names_every_bad_row(world):
    book = workbook(
        ("2027-01-01", "放假", "元旦", ""),
        ("2027-13-01", "放假", "元旦", ""),
        ("2027-01-02", "加班", "元旦", ""),
        ("2027-01-01", "放假", "", ""),
    )
    with pytest.raises(TransitionRefused) as refused:
        holiday_overrides_import(actor=world.city_admin, file=book)
    message = refused.value.message
    assert "未做任何修改" in message
    assert "第 3 行：日期无法识别" in message
    assert "第 4 行：类型应为“放假”或“上班”" in message
    assert "第 5 行：日期 2027-01-01 与第 2 行重复；缺少名称" in message
    assert overrides() == []


def test_a_sheet_without_the_header_or_not_an_excel_file_is_refused(world):
    with pytest.raises(TransitionRefused, match="表头"):
        holiday_overrides_import(actor=world.city_admin, file=workbook(("2027-01-01", "放假"), header=("日期", "类型")))
    with pytest.raises(TransitionRefused, match="无法读取"):
        holiday_overrides_import(actor=world.city_admin, file=BytesIO(b"date,kind\n2027-01-01,holiday\n"))
    assert overrides() == []


def test_the_template_sheet_has_the_import_header(db):
    sheet = load_workbook(BytesIO(holiday_workbook_template())).active
    assert [c.value for c in sheet[1]] == ["日期", "类型", "名称", "依据"]


def test_the_import_command_imports_as_the_named_city_admin(world, tmp_path, capsys):
    path = tmp_path / "2027.xlsx"
    path.write_bytes(workbook(("2027-01-01", "放假", "元旦", NOTICE)).getvalue())
    call_command("import_holidays", str(path), "--user", "city_admin")
    assert "新增 1 条" in capsys.readouterr().out
    assert HolidayOverride.objects.get().updated_by == world.city_admin


def test_the_import_command_refuses_another_role_and_changes_nothing(world, tmp_path):
    path = tmp_path / "2027.xlsx"
    path.write_bytes(workbook(("2027-01-01", "放假", "元旦", NOTICE)).getvalue())
    with pytest.raises(CommandError, match="仅限市级管理员"):
        call_command("import_holidays", str(path), "--user", "officer_a")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_holidays", str(path))
    assert overrides() == []


def test_the_import_command_writes_the_template(db, tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("import_holidays", str(path), "--template")
    assert load_workbook(path).active["A1"].value == "日期"


# ---- the admin ------------------------------------------------------------------------------------
def staff(user):
    user.is_staff = True
    user.save()
    return user


def test_a_city_admin_imports_a_sheet_in_the_admin(world, client):
    client.force_login(staff(world.city_admin))
    upload = SimpleUploadedFile("2027.xlsx", workbook(("2027-01-01", "放假", "元旦", NOTICE)).getvalue())
    response = client.post("/admin/casework/holidayoverride/import/", {"file": upload}, follow=True)
    assert "导入完成" in response.content.decode()
    assert overrides() == [(date(2027, 1, 1), False, "元旦")]


def test_a_bad_sheet_in_the_admin_shows_the_rows_and_imports_nothing(world, client):
    client.force_login(staff(world.city_admin))
    upload = SimpleUploadedFile("2027.xlsx", workbook(("2027-02-30", "放假", "春节", "")).getvalue())
    response = client.post("/admin/casework/holidayoverride/import/", {"file": upload})
    assert response.status_code == 200
    assert "第 2 行：日期无法识别" in response.content.decode()
    assert overrides() == []


def test_a_city_admin_adds_an_override_in_the_admin_through_the_service(world, client):
    client.force_login(staff(world.city_admin))
    response = client.post(
        "/admin/casework/holidayoverride/add/", {"date": "2027-01-01", "name": "元旦", "source": NOTICE}
    )
    assert response.status_code == 302
    override = HolidayOverride.objects.get()
    assert (override.is_workday, override.created_by, override.history.get().history_change_reason) == (
        False,
        world.city_admin,
        "admin_edit",
    )
    # Nothing is deleted, not even by the city admin.
    assert client.post(f"/admin/casework/holidayoverride/{override.pk}/delete/", {"post": "yes"}).status_code == 403
    assert HolidayOverride.objects.count() == 1


@pytest.mark.parametrize("who", ["officer_a", "auditor"])
def test_other_staff_users_may_read_but_not_change_or_import_in_the_admin(world, client, who):
    holiday_override_set(actor=world.city_admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    client.force_login(staff(world.users[who]))
    assert client.get("/admin/casework/holidayoverride/").status_code == 200
    assert client.post("/admin/casework/holidayoverride/add/", {"date": "2027-01-02", "name": "x"}).status_code == 403
    upload = SimpleUploadedFile("2027.xlsx", workbook(("2027-01-03", "放假", "元旦", "")).getvalue())
    client.post("/admin/casework/holidayoverride/import/", {"file": upload})
    assert overrides() == [(date(2027, 1, 1), False, "元旦")]
