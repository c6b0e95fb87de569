"""The project's migration histories are linear and match the models."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

APPS = ["casework", "api", "notifications", "workflows"]


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_one_linear_migration_history_with_no_merge_migration(db, app):
    graph = MigrationLoader(connection).graph
    assert len(graph.leaf_nodes(app)) == 1
    for node in graph.nodes:
        if node[0] == app:
            assert len([parent for parent in graph.node_map[node].parents if parent.key[0] == app]) <= 1, node


def test_the_models_need_no_migration_that_is_not_written(db):
    call_command("makemigrations", check=True, dry_run=True, stdout=io.StringIO())
