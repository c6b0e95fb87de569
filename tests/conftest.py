import pytest

from tests.factories import Clock, make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "evidence"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2's deliberate slowness is for production; the factories create many users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
