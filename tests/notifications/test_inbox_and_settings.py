"""The inbox (unread count, mark read, mark all read) and the channel settings page: each user's own only."""

from django.urls import reverse

from notifications.models import ChannelPreference, Notification
from notifications.services import notify


def inbox_of(user):
    return Notification.objects.filter(recipient=user)


def test_mark_all_read_clears_the_users_unread_count_and_nobody_elses(world, client):
    notify(recipients=[world.staff_a1, world.officer_a], event="x", title="一")
    notify(recipients=[world.staff_a1], event="x", title="二")
    client.force_login(world.staff_a1)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="unread-count">2<' in page and "全部标为已读" in page

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert not inbox_of(world.staff_a1).filter(read_at__isnull=True).exists()
    assert inbox_of(world.officer_a).filter(read_at__isnull=True).count() == 1
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "unread-count" not in page and "已将 2 条通知标为已读" in page


def test_mark_all_read_wants_a_post_and_a_login(world, client):
    assert client.get(reverse("notifications:mark_all_read")).status_code == 302  # to the login page
    client.force_login(world.staff_a1)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405


def test_a_user_cannot_mark_someone_elses_notification_read(world, client):
    [theirs] = notify(recipients=[world.officer_a], event="x", title="一")
    client.force_login(world.staff_b1)
    client.post(reverse("notifications:mark_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_settings_page_saves_the_users_channels_with_history(world, client, sms_gateway):
    client.force_login(world.staff_a1)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "站内通知" in page and "短信" in page and "企业微信群机器人（未配置）" in page

    response = client.post(
        reverse("notifications:settings"),
        {"sms-enabled": "on", "sms-address": " 13800000001 ", "email-address": "a1@example.cn"},
    )

    assert response.status_code == 302
    prefs = {p.channel: p for p in ChannelPreference.objects.filter(user=world.staff_a1)}
    assert (prefs["sms"].enabled, prefs["sms"].address) == (True, "13800000001")
    assert (prefs["email"].enabled, prefs["email"].address) == (False, "a1@example.cn")
    assert prefs["sms"].history.first().history_user == world.staff_a1
    assert not ChannelPreference.objects.exclude(user=world.staff_a1).exists()


def test_bad_input_on_the_settings_page_is_refused_whole_with_a_chinese_message(world, client, sms_gateway):
    client.force_login(world.staff_a1)
    response = client.post(
        reverse("notifications:settings"),
        {
            "sms-enabled": "on",
            "sms-address": "12345",
            "email-enabled": "on",
            "email-address": "not-an-email",
            "wecom-enabled": "on",
            "wecom-address": "13800000001",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "手机号应为 11 位数字" in page and "邮箱地址格式不正确" in page and "系统未配置该渠道" in page
    assert 'value="12345"' in page  # what was typed is kept on the page
    assert not ChannelPreference.objects.exists()


def test_enabling_sms_without_a_mobile_number_is_refused(world, client, sms_gateway):
    client.force_login(world.staff_a1)
    response = client.post(reverse("notifications:settings"), {"sms-enabled": "on", "sms-address": ""})
    assert response.status_code == 400 and "请填写手机号" in response.content.decode()


def test_the_settings_page_wants_a_login(client):
    response = client.get(reverse("notifications:settings"))
    assert response.status_code == 302 and "/login/" in response["Location"]
