"""/api/docs/ in the browser: Swagger UI from the project's own static files, under the project's CSP."""

import pytest

from tests.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_renders_every_resource_without_a_cdn_or_a_csp_violation(login, live_server):
    world = make_world()
    page = login(world.officer_a)
    problems, foreign = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None)

    response = page.goto(f"{live_server.url}/api/docs/")

    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-tag", timeout=20000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("hazards" in t for t in tags) and any("listings" in t for t in tags)
    page.wait_for_selector("[data-path='/api/hazards/{id}/assign/']")
    assert foreign == []
    assert not [p for p in problems if "Content Security Policy" in p], problems
