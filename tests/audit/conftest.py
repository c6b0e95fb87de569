from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    """This folder's `postgres` tests need PostgreSQL: without it they are deselected (not skipped)."""
    if ON_POSTGRES:
        return
    here = __file__.rsplit("/", 1)[0]
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres") and str(item.path).startswith(here) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
