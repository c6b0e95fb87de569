"""The OpenAPI schema documents every new operation: its path, the Idempotency-Key header on each
create and action, the error responses in the one shape, and it builds without warnings."""

import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

WRITES = [
    "/api/listings/",
    "/api/listings/{id}/progress/",
    "/api/listings/{id}/remind/",
    "/api/listings/{id}/delist/",
    "/api/inspections/",
    "/api/inspections/{id}/record/",
    "/api/school-returns/{id}/submit/",
    "/api/school-returns/{id}/confirm/",
    "/api/hazards/{id}/assign/",
    "/api/hazards/{id}/record-coordination/",
    "/api/hazards/{id}/change-deadline/",
]
READS = [
    "/api/listings/",
    "/api/listings/{id}/",
    "/api/listings/{id}/progress-reports/",
    "/api/listings/{id}/reminders/",
    "/api/campaigns/",
    "/api/campaigns/{id}/",
    "/api/inspections/",
    "/api/inspections/{id}/",
    "/api/school-returns/",
    "/api/school-returns/{id}/",
]


def schema() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def test_every_new_write_is_documented_with_the_idempotency_key_and_the_error_shape(db):
    paths = schema()["paths"]
    for path in WRITES:
        operation = paths[path]["post"]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        for status in ("400", "403", "404", "409"):
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/Error"), (path, status)


def test_every_new_read_is_documented_and_writes_are_not_offered_where_there_are_none(db):
    paths = schema()["paths"]
    for path in READS:
        assert "get" in paths[path], path
    for path in ("/api/campaigns/", "/api/listings/{id}/", "/api/school-returns/", "/api/inspections/{id}/"):
        assert not {"put", "patch", "delete"} & set(paths[path]), path
    assert "post" not in paths["/api/campaigns/"]


def test_the_deadline_actions_document_working_days_and_the_warning(db):
    document = schema()
    components = document["components"]["schemas"]
    for name in ("AssignInputRequest", "CoordinationInputRequest", "ChangeDeadlineInputRequest"):
        assert "deadline_working_days" in components[name]["properties"], name
    assert "deadline_warning" in components["DeadlineResult"]["properties"]


def test_the_schema_builds_without_warnings(db, capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    schema()
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
