"""The direct flow step runs only on the django-viewflow version it was verified against."""

from django.core.management import call_command

from workflows import checks


def test_the_installed_viewflow_is_the_verified_one_and_the_check_passes():
    assert checks.installed_viewflow() == checks.VERIFIED_VIEWFLOW
    assert checks.viewflow_version_verified() == []
    call_command("check")  # raises SystemCheckError on any error


def test_another_viewflow_version_is_refused_with_a_clear_error(monkeypatch):
    monkeypatch.setattr(checks, "installed_viewflow", lambda: "2.5.0")
    [error] = checks.viewflow_version_verified()
    assert error.id == "workflows.E001" and error.is_serious()
    assert "2.5.0" in error.msg and "2.4.0" in error.msg
