"""Device tokens: issued for username + password + device, one per device, revocable; throttled per user."""

from rest_framework.test import APIClient

from casework.api.models import DeviceToken
from notifications.models import Notification
from tests.api.conftest import client_for

PASSWORD = "Secret-pass-123"  # tests.factories.UserFactory


def issue(client, username="staff_a1", password=PASSWORD, device="张老师的手机"):
    return client.post(
        "/api/auth/tokens/", {"username": username, "password": password, "device_name": device}, format="json"
    )


def test_a_token_issued_for_a_device_opens_the_api_and_only_its_hash_is_stored(world):
    response = issue(APIClient())
    assert response.status_code == 201
    key = response.json()["token"]
    token = DeviceToken.objects.get(pk=response.json()["id"])
    assert key not in token.key_hash and len(token.key_hash) == 64
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = client.get("/api/auth/tokens/")
    assert listed.status_code == 200
    assert [(t["device_name"], t["is_current"]) for t in listed.json()] == [("张老师的手机", True)]
    assert Notification.objects.filter(recipient=world.staff_a1, event="api.token_issued").count() == 1


def test_a_wrong_password_gets_no_token_and_a_chinese_reason(world):
    response = issue(APIClient(), password="wrong-password")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码不正确。", "fields": {}}
    assert not DeviceToken.objects.exists()


def test_signing_in_again_on_the_same_device_revokes_the_older_token(world):
    old = issue(APIClient()).json()["token"]
    new = issue(APIClient()).json()["token"]
    other_device = issue(APIClient(), device="办公室电脑").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")
    assert client.get("/api/hazards/").status_code == 401
    for key in (new, other_device):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        assert client.get("/api/hazards/").status_code == 200
    assert DeviceToken.objects.filter(user=world.staff_a1, revoked_at__isnull=True).count() == 2


def test_a_revoked_token_is_refused_and_the_revocation_is_in_the_history(world):
    key = issue(APIClient()).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    token_id = client.get("/api/auth/tokens/").json()[0]["id"]
    revoked = client.post(f"/api/auth/tokens/{token_id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = client.get("/api/hazards/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert "吊销" in refused.json()["message"]
    reasons = list(
        DeviceToken.history.filter(id=token_id).order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["issued", "revoked"]


def test_nobody_can_see_or_revoke_another_persons_token(world):
    key = issue(APIClient()).json()["token"]
    token = DeviceToken.objects.get()
    intruder = client_for(world.officer_a)
    assert token.pk not in [t["id"] for t in intruder.get("/api/auth/tokens/").json()]
    assert intruder.post(f"/api/auth/tokens/{token.pk}/revoke/").status_code == 404
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert owner.get("/api/hazards/").status_code == 200


def test_the_browser_session_works_too(world, client):
    client.force_login(world.officer_a)
    assert client.get("/api/hazards/").status_code == 200


def test_requests_beyond_the_users_rate_are_throttled_in_the_error_shape(world, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "3/minute"}
    client = client_for(world.officer_a)
    statuses = [client.get("/api/org-units/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/org-units/")
    assert response.json()["code"] == "throttled"
    assert "请求过于频繁" in response.json()["message"]
    assert int(response["Retry-After"]) > 0
    # The rate is per user: another user is not held back by the first one's requests.
    assert client_for(world.staff_a1).get("/api/org-units/").status_code == 200


def test_password_guessing_at_the_token_endpoint_is_throttled(world, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token_issue": "2/minute"}
    client = APIClient()
    statuses = [issue(client, password="guess").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
