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


def on_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need real row locks: they run in CI's PostgreSQL pass (see .ci/run)
    and are deselected, not skipped, in the SQLite pass."""
    if on_postgresql():
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    deselected = [item for item in items if item.get_closest_marker("postgres") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
