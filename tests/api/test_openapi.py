"""The app's own OpenAPI: complete, and honoured (schemathesis against the app on the sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from api.support import PREFIX, TestClient, build_container
from photomanager.api.app import create_app
from photomanager.sandbox import ManualClock, Sandbox

EXPECTED_OPERATIONS = {
    ("get", f"{PREFIX}/status"),
    ("post", f"{PREFIX}/collect/watch-feed"),
    ("post", f"{PREFIX}/collect/global-feed"),
    ("get", f"{PREFIX}/collect/{{run_id}}"),
    ("post", f"{PREFIX}/worker/start"),
    ("post", f"{PREFIX}/worker/stop"),
    ("post", f"{PREFIX}/reset-failed"),
    ("get", f"{PREFIX}/messages"),
    ("post", f"{PREFIX}/messages"),
    ("put", f"{PREFIX}/messages/{{message_id}}"),
    ("delete", f"{PREFIX}/messages/{{message_id}}"),
    ("post", f"{PREFIX}/messages/preview"),
    ("get", f"{PREFIX}/queue"),
    ("post", f"{PREFIX}/queue/clear"),
    ("post", f"{PREFIX}/queue/remove-selected"),
    ("get", f"{PREFIX}/logs"),
    ("get", f"{PREFIX}/logs.csv"),
    ("get", f"{PREFIX}/activity"),
    ("get", f"{PREFIX}/settings"),
    ("put", f"{PREFIX}/settings"),
    ("get", f"{PREFIX}/review"),
    ("post", f"{PREFIX}/review/approve-all"),
    ("post", f"{PREFIX}/review/{{deviationid}}/approve"),
    ("post", f"{PREFIX}/review/{{deviationid}}/skip"),
    ("get", "/healthz"),
    ("get", "/api/auth/status"),
    ("post", "/api/auth/logout"),
}
# Schema-valid input the services still refuse on meaning (an invalid template, min above
# max, an unknown time zone) is a documented 422, not a broken promise.
ACCEPTED_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


class TestOpenApiDocument:
    def test_every_operation_documented(self, client: TestClient) -> None:
        """Every endpoint of the issue is in /openapi.json."""
        paths = client.get("/openapi.json").json()["paths"]
        documented = {(method, path) for path, ops in paths.items() for method in ops}
        assert documented >= EXPECTED_OPERATIONS

    def test_operations_have_response_models_and_errors(self, client: TestClient) -> None:
        """Each of our operations documents its success model and the error shape."""
        paths = client.get("/openapi.json").json()["paths"]
        for method, path in EXPECTED_OPERATIONS:
            if path.startswith("/api/auth"):
                continue
            operation = paths[path][method]
            assert operation.get("summary"), (method, path)
            success = next(code for code in operation["responses"] if code.startswith("2"))
            if success != "204":
                assert operation["responses"][success]["content"], (method, path)
            error = operation["responses"]["500"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorPublic"}

    def test_request_models_forbid_unknown_fields(self, client: TestClient) -> None:
        """Every request body refuses fields it does not know."""
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        bodies = [name for name in schemas if name.endswith(("Create", "Update"))]
        assert bodies
        assert all(schemas[name].get("additionalProperties") is False for name in bodies)


@pytest.fixture
def app_schema(
    tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
) -> Iterator[schemathesis.BaseSchema]:
    """The app's own schema, loaded through ASGI, the DeviantArt side on the sandbox."""
    # schemathesis's ASGI client says `Host: testserver`: allow that name like a configured one.
    container = build_container(
        tmp_path, sandbox, sandbox_clock, template_db=sqlite_template, allowed_hosts=["testserver"]
    )
    config = SchemathesisConfig.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_STATUSES}}}
    )
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app(container), config=config)
    finally:
        container.close()


def _operation_id(operation: tuple[str, str]) -> str:
    return f"{operation[0].upper()} {operation[1]}"


@pytest.mark.parametrize("operation", sorted(EXPECTED_OPERATIONS), ids=_operation_id)
def test_app_honours_its_schema(
    app_schema: schemathesis.BaseSchema, operation: tuple[str, str]
) -> None:
    """Generated requests (valid and invalid) get no 5xx and answers matching the schema."""
    method, path = operation
    api_operation = app_schema[path][method.upper()]
    strategy = st.one_of(
        api_operation.as_strategy(GenerationMode.POSITIVE),
        api_operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        # Body-less state changes still declare JSON (the CSRF rule, documented as a 403).
        headers = {} if case.media_type else {"Content-Type": "application/json"}
        case.call_and_validate(headers=headers)

    check()
