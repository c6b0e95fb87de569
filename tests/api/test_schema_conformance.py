"""Schemathesis against the API's own OpenAPI schema on a live server on 127.0.0.1: for a token-holding
user of each role, no 500s, documented status codes and content types, responses that match the schema."""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.builders import listed, plan_inspection, school_return
from tests.api.conftest import issue_token
from tests.factories import Clock, make_campaign, make_hazard, make_world

ROLES = ["staff_a1", "police_a1", "officer_a", "supervisor_a", "party_a", "city_admin", "auditor"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 10  # per operation, each sent as all 7 roles: the whole run stays under 3 minutes


@pytest.fixture
def api_world(transactional_db, live_server):
    """The small world, a hazard in every state (own, foreign, sensitive), and a device token per role."""
    world = make_world()
    clock = Clock()
    for state in ("reported", "assigned", "temporary_measures", "rectified", "verified", "escalated", "closed_invalid"):
        make_hazard(world, state=state, clock=clock)
        make_hazard(world, state=state, school="school_b1", clock=clock)
    for state in ("assigned", "rectified"):
        make_hazard(world, state=state, sensitive=True, clock=clock)
    # Listings (own, foreign, sensitive; one ready to delist), a campaign, inspections (one an unannounced
    # visit not yet recorded) and returns (a draft, a submitted one): the new resources' operations.
    for kind in ("own", "foreign", "sensitive"):
        listed(world, kind)
    listed(world, "own", state="verified")
    campaign = make_campaign(world)
    plan_inspection(world, campaign)
    plan_inspection(world, campaign, school="school_b1")
    plan_inspection(world, campaign, kind="unannounced_visit", actor=world.supervisor_city)
    school_return(world, campaign)
    school_return(world, campaign, school="school_b1", submitted=True, sensitive_notes="涉密")
    return {role: issue_token(world.users[role]) for role in ROLES}


def project_schema() -> dict:
    """The schema /api/schema/ serves, generated at collection (Django is set up by then)."""
    # schemathesis.pytest.from_fixture would load it from the live server, but its lazy loader
    # does not run under pytest 9 (it sets Function._nodeid); the document is the same.
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(project_schema())
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none", with_security_parameters=False)


def strategy_for(operation):
    """Valid and invalid requests for one operation (an operation with no input has no invalid ones)."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    try:
        negative = operation.as_strategy(GenerationMode.NEGATIVE)
    except Exception:
        return positive
    return st.one_of(positive, negative)


def test_every_operation_conforms_to_the_schema_for_every_role(api_world, live_server):
    # One world and one live server for every operation: schemathesis's Python API in a plain loop
    # (its per-operation pytest items would rebuild and flush the database two dozen times).
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40

    for operation in operations:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(case=strategy_for(operation))
        def run(case):
            for role, token in api_world.items():
                try:
                    case.call_and_validate(
                        base_url=live_server.url,
                        headers={"Authorization": f"Bearer {token}"},
                        checks=CHECKS,
                        timeout=30,
                    )
                except Exception as failure:
                    raise AssertionError(f"{operation.label} as {role}: {failure}") from failure  # noqa: B023 (run now)

        run()
