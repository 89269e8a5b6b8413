"""Schemathesis against /openapi.json, signed in as a manager: no 5xx on any generated input,
every 4xx answer says what was wrong, and every answer matches the schema the OpenAPI
document declares for its status (422 bodies included)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance
from starlette.testclient import TestClient

from hustings.web import create_app
from tests.web.conftest import PASSWORD, Campaign

_EXAMPLES = int(os.environ.get("HUSTINGS_FUZZ_EXAMPLES", "25"))
_SKIP = {"POST /api/logout"}  # would end the session the other cases run in


def _check(response: Any, label: str) -> None:
    assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"
    if 400 <= response.status_code < 500 and "json" in response.headers.get("content-type", ""):
        detail = response.json().get("detail")
        assert detail, f"{label}: {response.status_code} without a message"


def test_openapi_document_lists_the_api(campaign: Campaign) -> None:
    with TestClient(create_app(campaign.store, secret="fuzz")) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/items", "/api/items/{item_id}/claim", "/api/people/{person_id}"} <= set(paths)
    assert not any(p.startswith(("/inbox", "/people", "/login")) for p in paths)


def _fuzz(operation: Any, label: str, headers: dict[str, str], cookies: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers, cookies=cookies)
        _check(response, label)
        case.validate_response(response, checks=[response_schema_conformance])

    run()


@pytest.mark.filterwarnings("ignore")
def test_fuzzed_requests_never_get_a_server_error(campaign: Campaign) -> None:
    app = create_app(campaign.store, secret="fuzz")
    with TestClient(app) as client:
        login = client.post(
            "/api/login", json={"email": "manager@example.org", "password": PASSWORD}
        )
        cookies = dict(login.cookies)
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in _SKIP:
            continue

        _fuzz(operation, label, headers, cookies)
        checked += 1
    assert checked >= 30
