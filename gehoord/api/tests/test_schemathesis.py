"""The API keeps to its own OpenAPI document, as schemathesis judges it with all its checks.

Schemathesis reads /api/v1/openapi.json and sends, to every operation, requests the document calls
valid (each must be accepted) and requests it calls invalid (each must be refused with a 4xx), then
checks each answer's status, content type, headers and body against the document, and that a
request without the token is refused. It calls the WSGI application in-process, on the test
database, authenticated with a real token of a test organisation; the examples are bounded and
derandomized so the run is the same every time.

One allowance, with its reason: a request the document calls valid may still be refused with a 422
when it breaks a rule no JSON Schema can state, because the rule depends on the organisation's data
(its categories and staff), the complaint's state or today's date. Those rules are listed below per
operation and field, and `refused_only_for_rules_the_document_cannot_state` fails the run on any
other 422 to valid data: a shape the document could have stated must be stated.
"""

import fnmatch

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from conftest import carol_complaint, make_organisation, make_staff
from gehoord.organisations.models import ApiToken, Role

pytestmark = pytest.mark.django_db

ORDER = "ORD-1001"  # the order number is the reference at the webshop-board organisation
ACTIONS = "POST /api/v1/complaints/{reference}/actions/"

RULES_OF_DATA_OR_STATE = {
    "POST /api/v1/complaints": {
        "category": "one of the organisation's own categories",
        "fields.*": "the chosen category's own fields",
        "order_number": "required where the organisation's policy makes the order number the reference",
        "purchase_date": "not after today",
        "attachments.*": "a file whose content is of an accepted type",
        "contact_email": "an address Django's validator accepts; JSON Schema's email format differs in details",
    },
    "POST /api/v1/complaints/{reference}/messages": {
        "attachments.*": "a file whose content is of an accepted type",
    },
    ACTIONS + "assign": {"handler": "a staff member of the organisation who handles complaints"},
    ACTIONS + "close": {"letter": "required unless the complaint is resolved"},
    ACTIONS + "extend_deadline": {
        "kind": "the kind of the complaint's pending deadline",
        "due_at": "later than that deadline's current due instant",
    },
}

config = SchemathesisConfig.from_dict({
    "generation": {"max-examples": 10, "deterministic": True},
    "parameters": {"reference": ORDER},
    "checks": {
        # The allowance above; refused_only_for_rules_the_document_cannot_state narrows it again.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]},
    },
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=config)


def refused_only_for_rules_the_document_cannot_state(ctx, response, case):
    if response.status_code != 422 or not case.meta.generation.mode.is_positive:
        return None
    allowed = RULES_OF_DATA_OR_STATE.get(case.operation.label, {})
    unstated = [name for name in response.json()["errors"] if not any(fnmatch.fnmatch(name, rule) for rule in allowed)]
    if unstated:
        raise AssertionError(f"Valid data refused for {unstated}: {response.text}")
    return None


@pytest.fixture
def shop_token(db):
    shop = make_organisation("shop", preset="webshop-board")
    make_staff(shop, "alice", Role.AGENT)
    carol_complaint(shop, order_number=ORDER)
    return ApiToken.issue(shop, "shop integration")[1]


@pytest.fixture
def connection_kept():
    """Schemathesis calls the WSGI application itself, not through Django's test client, so each request's
    end would close the test's database connection (on PostgreSQL, with the test's transaction in it).
    Keep it open across requests, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_api_keeps_to_its_document(case, shop_token, connection_kept):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {shop_token}"},
        additional_checks=[refused_only_for_rules_the_document_cannot_state],
    )

