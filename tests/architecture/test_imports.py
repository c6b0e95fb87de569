"""Imports run one way, config → workflows → casework → notifications, and no modules import each other
in a circle — counting the imports inside functions and methods (DESIGN.md, Architecture)."""

from pathlib import Path
from textwrap import dedent

from tests.architecture.imports import LAYERS, import_graph, report, strongly_connected

ROOT = Path(__file__).resolve().parents[2]


def write(root: Path, files: dict[str, str]) -> Path:
    """A synthetic tree: {relative path: source}; every folder gets an ``__init__.py``."""
    for name, source in files.items():
        path = root / name
        for folder in path.relative_to(root).parents:
            if folder != Path("."):
                (root / folder).mkdir(parents=True, exist_ok=True)
                (root / folder / "__init__.py").touch()
        path.write_text(dedent(source), encoding="utf-8")
    return root


# ---- the shipped packages ---------------------------------------------------------------------------
def test_the_shipped_packages_have_no_import_cycle(capsys):
    cycles, _ = report(ROOT)
    with capsys.disabled():
        print("\nimport cycles:", len(cycles), *cycles, sep="\n")
    assert cycles == [], "\n".join(cycles)


def test_no_shipped_module_imports_a_layer_above_its_own(capsys):
    _, ups = report(ROOT)
    with capsys.disabled():
        print("\nupward imports:", len(ups), *ups, sep="\n")
    assert ups == [], "\n".join(ups)


def test_the_walk_of_the_shipped_packages_sees_their_imports_so_it_cannot_pass_by_finding_nothing():
    graph, edges = import_graph(ROOT)
    assert {m.partition(".")[0] for m in graph} == set(LAYERS)
    assert "casework.rules.lifecycle" in graph["casework.services.transitions"]
    assert "casework.models" in graph["casework.services.transitions"]
    assert any(e.source.startswith("workflows.") and e.target.startswith("casework.") for e in edges)
    assert len(edges) > 200
    assert not any(m.startswith(("tests", "tools")) for m in graph)


# ---- the walker, on small synthetic packages --------------------------------------------------------
def test_a_cycle_closed_by_an_import_inside_a_function_is_found_and_printed_as_a_path(tmp_path):
    write(
        tmp_path,
        {
            "casework/a.py": "from casework import b\n",
            "casework/b.py": """\
            def later():
                from . import a
                return a
            """,
        },
    )
    cycles, ups = report(tmp_path)
    assert len(cycles) == 1
    assert "casework.a → casework.b → casework.a" in cycles[0]
    assert "casework/b.py:2" in cycles[0] and "casework/a.py:1" in cycles[0]
    assert ups == []


def test_a_cycle_through_a_method_and_three_modules_is_one_strongly_connected_component(tmp_path):
    write(
        tmp_path,
        {
            "casework/a.py": "import casework.b\n",
            "casework/b.py": """\
            class Thing:
                def run(self):
                    from casework.c import helper
                    return helper
            """,
            "casework/c.py": "from casework.a import something\n\ndef helper():\n    pass\n",
            "casework/d.py": "from casework import a\n",  # reaches the cycle, is not in it
        },
    )
    graph, _ = import_graph(tmp_path)
    assert strongly_connected(graph) == [["casework.a", "casework.b", "casework.c"]]
    cycles, _ = report(tmp_path)
    assert "casework.a → casework.b → casework.c → casework.a" in cycles[0]


def test_an_import_under_type_checking_is_not_an_edge_but_its_else_branch_is(tmp_path):
    write(
        tmp_path,
        {
            "casework/a.py": "from casework.b import B\n",
            "casework/b.py": """\
            import typing
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from casework.a import A
            if typing.TYPE_CHECKING:
                import casework.a
            else:
                from casework import c

            class B:
                pass
            """,
            "casework/c.py": "",
        },
    )
    graph, _ = import_graph(tmp_path)
    assert graph["casework.b"] == {"casework.c"}
    assert report(tmp_path) == ([], [])


def test_an_import_up_the_layers_is_found_with_its_file_and_line(tmp_path):
    write(
        tmp_path,
        {
            "notifications/services.py": (
                "from django.conf import settings\n\n\ndef f():\n    from casework.models import Hazard\n"
            ),
            "casework/models.py": "from django.conf import settings\nimport config.settings\n",
            "casework/views.py": "from workflows import flows\n",
            "workflows/flows.py": "from casework.models import Hazard\nfrom notifications import services\n",
            "config/settings.py": "",
            "config/urls.py": "import workflows.flows\nimport casework.views\n",
        },
    )
    cycles, ups = report(tmp_path)
    assert ups == [
        "casework/models.py:2: casework.models imports config.settings",
        "casework/views.py:1: casework.views imports workflows.flows",
        "notifications/services.py:5: notifications.services imports casework.models",
    ]
    assert cycles == []  # casework.views → workflows.flows → casework.models: upward, but no circle


def test_a_clean_package_passes_though_the_walker_sees_its_imports(tmp_path):
    write(
        tmp_path,
        {
            "config/urls.py": "from workflows import views\nfrom casework.web import urls\n",
            "workflows/views.py": "from casework import services\nfrom .models import Process\n",
            "workflows/models.py": "from casework.models import Hazard\n",
            "casework/services.py": "from notifications.services import notify\nfrom .models import Hazard\n",
            "casework/models.py": "from django.db import models\n",
            "casework/web/urls.py": "from ..services import act\nfrom . import views\n",
            "casework/web/views.py": "from casework.services import act\n",
            "notifications/services.py": "from django.conf import settings\n",
        },
    )
    graph, edges = import_graph(tmp_path)
    assert graph["casework.services"] == {"notifications.services", "casework.models"}
    assert graph["casework.web.urls"] == {"casework.services", "casework.web.views"}
    assert len(edges) >= 8
    assert report(tmp_path) == ([], [])


def test_from_a_package_import_a_name_is_an_edge_to_the_submodule_when_it_exists_else_to_the_package(tmp_path):
    write(
        tmp_path,
        {
            "casework/models/__init__.py": "from .hazard import Hazard\nfrom . import org\n",
            "casework/models/hazard.py": "from casework.models.org import OrgUnit\n",
            "casework/models/org.py": "",
            "casework/services/transitions.py": (
                "from casework.models import Hazard, org\nfrom ..models import hazard\n"
            ),
        },
    )
    graph, _ = import_graph(tmp_path)
    # The package's __init__ importing its submodules is an edge from the package to them ...
    assert graph["casework.models"] == {"casework.models.hazard", "casework.models.org"}
    # ... but the implicit run of the parent's __init__ is not an edge back to the package.
    assert graph["casework.models.hazard"] == {"casework.models.org"}
    assert graph["casework.services.transitions"] == {
        "casework.models",
        "casework.models.org",
        "casework.models.hazard",
    }
    assert report(tmp_path) == ([], [])


def test_a_package_init_and_its_submodule_importing_each_other_is_a_cycle(tmp_path):
    write(
        tmp_path,
        {
            "casework/access/__init__.py": "from .hazards import visible\n",
            "casework/access/hazards.py": "from casework.access import helper\n",
        },
    )
    cycles, _ = report(tmp_path)
    assert len(cycles) == 1 and "casework.access → casework.access.hazards → casework.access" in cycles[0]
