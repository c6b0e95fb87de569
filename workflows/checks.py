"""System checks of the workflows app.

``workflows.sync`` writes the flow's usual step directly, on viewflow's private attributes (``_owner``,
``_owner_permission``, ``_next``, ``_task_seed``, ``switch._branches``), and a parity test
(tests/workflows/test_flow_direct_step.py) holds its rows equal to viewflow's own activations. That holds
for the version it was verified against only: any other refuses to start until it is verified again.
"""

from importlib.metadata import PackageNotFoundError, version

from django.core import checks

# Change together with requirements.txt, after tests/workflows/test_flow_direct_step.py passes on the new version.
VERIFIED_VIEWFLOW = "2.4.0"


def installed_viewflow() -> str | None:
    try:
        return version("django-viewflow")
    except PackageNotFoundError:
        return None


@checks.register()
def viewflow_version_verified(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The direct flow step (workflows.sync) runs only on the django-viewflow version it was verified against."""
    found = installed_viewflow()
    if found == VERIFIED_VIEWFLOW:
        return []
    return [
        checks.Error(
            f"django-viewflow {found or '（未安装）'} is installed; workflows.sync's direct step was verified against "
            f"{VERIFIED_VIEWFLOW} only.",
            hint=f"Pin django-viewflow=={VERIFIED_VIEWFLOW} in requirements.txt, or re-run "
            "tests/workflows/test_flow_direct_step.py on the new version and then update VERIFIED_VIEWFLOW.",
            id="workflows.E001",
        )
    ]
