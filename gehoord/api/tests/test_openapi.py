"""The API describes itself: a valid OpenAPI 3.1 document, and answers that keep to it.

Integrators generate clients from /api/v1/openapi.json; an answer that does not match its
documented schema breaks them. Every answer checked here is validated against our own document,
with objects closed (an undocumented key in an answer fails too).
"""

import copy
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from gehoord.api.schemas import ACTION_BODIES
from gehoord.api.tests.conftest import b64, carol_payload, png_bytes
from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"
ENDPOINTS = {
    "/api/v1/complaints": {"get", "post"},
    "/api/v1/complaints/{reference}": {"get"},
    "/api/v1/complaints/{reference}/timeline": {"get"},
    "/api/v1/complaints/{reference}/messages": {"post"},
    **{f"/api/v1/complaints/{{reference}}/actions/{action}": {"post"} for action in ACTION_BODIES},
    "/api/v1/categories": {"get"},
    "/api/v1/register.csv": {"get"},
}
# The platform's public read-only API: no token (test_public_api.py checks it).
PUBLIC_ENDPOINTS = {
    "/api/v1/public/companies": {"get"},
    "/api/v1/public/companies/{slug}": {"get"},
    "/api/v1/public/companies/{slug}/score": {"get"},
    "/api/v1/public/companies/{slug}/complaints": {"get"},
    "/api/v1/public/complaints": {"get"},
    "/api/v1/public/complaints/{public_id}": {"get"},
}


@pytest.fixture(scope="module")
def spec() -> dict:
    # Served without a token and without touching the database; fetched once for the module.
    response = Client().get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.json()


def closed(schema):
    """The schema with every object that lists its properties closed to others."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def assert_documented(spec: dict, path: str, method: str, response) -> None:
    """The answer's status is documented for the operation, and its JSON matches that schema."""
    operation = spec["paths"][path][method]
    documented = operation["responses"]
    assert str(response.status_code) in documented, f"{method.upper()} {path} does not document {response.status_code}"
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": closed(spec["components"])})
    problems = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    assert not problems, [f"{list(p.absolute_path)}: {p.message}" for p in problems]


# --- the document --------------------------------------------------------------------------------


def test_the_schema_is_served_without_a_token_as_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)  # raises on any problem
    assert spec["info"]["title"] == "Gehoord API"


def test_every_endpoint_is_documented(spec):
    documented = {
        path: {method for method in operations if method in {"get", "post", "put", "patch", "delete"}}
        for path, operations in spec["paths"].items()
    }

    assert documented == {**ENDPOINTS, **PUBLIC_ENDPOINTS}


def test_every_operation_needs_the_bearer_token_and_documents_its_errors(spec):
    schemes = spec["components"]["securitySchemes"]
    [(name, scheme)] = schemes.items()
    assert scheme == {"type": "http", "scheme": "bearer"}
    for path, methods in ENDPOINTS.items():
        for method in methods:
            operation = spec["paths"][path][method]
            assert operation["security"] == [{name: []}], (path, method)
            for status in ("401", "404", "422"):
                error = operation["responses"][status]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ErrorOut"}, (path, method, status)
            assert operation.get("summary"), (path, method)


def test_the_list_documents_its_filters_and_bounds(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/complaints"]["get"]["parameters"]}

    assert set(parameters) == {
        "status", "stage", "category", "handler", "channel", "product", "outcome", "deadlines", "q",
        "received_after", "received_before", "order", "limit", "offset",
    }
    assert all(p["in"] == "query" and not p.get("required") for p in parameters.values())
    limit = parameters["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 25)
    assert set(parameters["status"]["schema"]["anyOf"][0]["enum"]) >= {"open", "acknowledged", "escalated", "closed"}
    assert parameters["order"]["schema"]["enum"] == ["deadline", "received", "oldest", "reference"]
    exported = {p["name"] for p in spec["paths"]["/api/v1/register.csv"]["get"]["parameters"]}
    assert exported == set(parameters) - {"limit", "offset"}
    assert set(spec["components"]["schemas"]["Stage"]["enum"]) == {1, 2, 3, 4}


def test_request_bodies_refuse_unknown_fields_in_the_document_too(spec):
    schemas = spec["components"]["schemas"]

    bodies = {body.__name__ for body in ACTION_BODIES.values()}
    for name in ("ComplaintIn", "UploadIn", "MessageIn", "LetterIn", "FeedbackIn", *bodies):
        assert schemas[name]["additionalProperties"] is False, name
    assert set(schemas["ComplaintIn"]["required"]) == {"description", "contact_name"}


def test_every_action_a_door_may_run_has_its_own_operation(spec):
    # The platform's own actions (gehoord/platform/) are not the organisation API's to run.
    assert set(ACTION_BODIES) == {
        name for name, declared in lifecycle.ACTIONS.items()
        if not declared.internal and not declared.function.__module__.startswith("gehoord.platform.")
    }
    for name, body in ACTION_BODIES.items():
        operation = spec["paths"][f"/api/v1/complaints/{{reference}}/actions/{name}"]["post"]
        assert name in operation["description"] and operation["summary"]


def test_each_action_body_holds_exactly_what_the_action_takes(spec):
    for name, body in ACTION_BODIES.items():
        declared = lifecycle.ACTIONS[name]
        documented = spec["components"]["schemas"][body.__name__]
        relay = {"on_behalf_of_consumer"} if lifecycle.CONSUMER in declared.who else set()
        assert set(documented.get("properties", {})) == set(declared.parameters) | relay, name
        assert set(documented.get("required", [])) == set(declared.required_parameters()), name
        request_body = spec["paths"][f"/api/v1/complaints/{{reference}}/actions/{name}"]["post"]["requestBody"]
        assert request_body.get("required", False) == bool(declared.required_parameters()), name


def test_no_parameter_is_nullable_where_null_is_refused(spec):
    """An action takes a parameter or leaves it out; `null` is nowhere accepted, so nowhere documented."""
    for body in {*ACTION_BODIES.values()}:
        for name, parameter in spec["components"]["schemas"][body.__name__].get("properties", {}).items():
            assert {"type": "null"} not in parameter.get("anyOf", []), (body.__name__, name)


# --- real answers keep to it ---------------------------------------------------------------------


def test_the_answers_of_a_complaints_life_match_the_document(spec, acme_api, alice):
    filed = acme_api.post(
        "/complaints",
        carol_payload(category="product", fields={"serial_number": "SN-1234"}, purchase_date="2025-01-02",
                      attachments=[{"filename": "foto.png", "content_base64": b64(png_bytes())}]),
    )
    assert_documented(spec, "/api/v1/complaints", "post", filed)
    reference = filed.json()["reference"]
    one = "/api/v1/complaints/{reference}"

    assert_documented(spec, "/api/v1/complaints", "get", acme_api.get("/complaints"))
    assert_documented(spec, one, "get", acme_api.get(f"/complaints/{reference}"))
    message = acme_api.post(
        f"/complaints/{reference}/messages",
        {"body": "Zie foto.", "attachments": [{"filename": "b.png", "content_base64": b64(png_bytes())}]},
    )
    assert_documented(spec, f"{one}/messages", "post", message)
    for action, body in [
        ("assign", {"handler": "alice"}),
        ("propose_resolution", {"kinds": ["refund", "compensation"], "text": "Geld.", "refund_amount": "12.50",
                                "compensation_amount": 5}),
        ("reject", {"on_behalf_of_consumer": True}),
        ("close", {"outcome": "partially_upheld",
                   "letter": {"actions_taken": "a", "conclusions": "b", "decision": "c"}}),
    ]:
        response = acme_api.post(f"/complaints/{reference}/actions/{action}", body)
        assert response.status_code == 200, response.content
        assert_documented(spec, f"{one}/actions/{action}", "post", response)
    assert_documented(spec, f"{one}/timeline", "get", acme_api.get(f"/complaints/{reference}/timeline"))
    assert_documented(spec, one, "get", acme_api.get(f"/complaints/{reference}", {"include": "timeline"}))
    assert_documented(spec, "/api/v1/categories", "get", acme_api.get("/categories"))


def test_a_closed_complaint_with_feedback_matches_the_document(spec, acme_api, complaint, as_alice):
    actions.propose_resolution(complaint, by=as_alice, kinds=["apology"], text="Excuses.")
    actions.accept(complaint, by=Actor.consumer(complaint))
    closed_response = acme_api.post(
        f"/complaints/{complaint.reference}/actions/close",
        {"on_behalf_of_consumer": True, "feedback": {"resolved": True, "satisfaction": 4, "comment": "Netjes."}},
    )

    assert closed_response.json()["feedback"] == {"resolved": True, "satisfaction": 4, "comment": "Netjes."}
    assert_documented(spec, "/api/v1/complaints/{reference}/actions/close", "post", closed_response)


def test_error_answers_match_the_document(spec, acme_api, complaint):
    one = "/api/v1/complaints/{reference}"
    checks = [
        ("/api/v1/complaints", "post", acme_api.post("/complaints", carol_payload(description=""))),
        ("/api/v1/complaints", "post", acme_api.post("/complaints", raw="{")),
        ("/api/v1/complaints", "get", acme_api.get("/complaints", {"limit": 0})),
        (one, "get", acme_api.get("/complaints/KL-26-QQQQQQ")),
        (f"{one}/actions/accept", "post", acme_api.post(f"/complaints/{complaint.reference}/actions/accept")),
        (f"{one}/actions/decide", "post", acme_api.post(f"/complaints/{complaint.reference}/actions/decide",
                                                        {"decision": "upheld"})),
        (f"{one}/messages", "post",
         acme_api.post(f"/complaints/{complaint.reference}/messages", {"body": "x", "internal": True,
                                                                       "on_behalf_of_consumer": True})),
        ("/api/v1/categories", "get", Client().get("/api/v1/categories")),
    ]

    assert sorted({response.status_code for _p, _m, response in checks}) == [400, 401, 403, 404, 409, 422]
    for path, method, response in checks:
        assert_documented(spec, path, method, response)


# --- the docs page ---------------------------------------------------------------------------------


def test_the_docs_page_is_served_with_local_assets_only(db):
    response = Client().get(f"{PREFIX}/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "http://" not in page and "https://" not in page  # no CDN: works offline, leaks no visits
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith(".js") for asset in assets) and any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file we ship"
    assert f"{PREFIX}/openapi.json" in page
