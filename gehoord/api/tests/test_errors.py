"""Every wrong request gets a 4xx JSON answer {"code", "message", "errors"}; never a 500.

The code is stable for clients to branch on; the message names the field or the rule; `errors`
maps each wrong field (dotted path into the body, e.g. `fields.serial_number`, `attachments.0`)
to what is wrong with it.
"""

import io

import pytest
from django.core.management import call_command

from gehoord.organisations.models import ApiToken
from gehoord.api.tests.conftest import ApiClient, b64, carol_payload, png_bytes
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Event, Message

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str, fields: set[str] | None = None) -> dict:
    """The one error shape; `fields` are the keys `errors` must have (exactly)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"].strip()
    assert isinstance(body["errors"], dict)
    assert all(isinstance(v, str) and v for v in body["errors"].values())
    if fields is not None:
        assert set(body["errors"]) == fields
        # The message leads with the first wrong field, so a human reading only it knows where to look.
        assert any(body["message"].startswith(field) for field in fields)
    return body


def assert_each(cases, check) -> None:
    """Run `check` on every case of a table against one shared complaint; report all that fail.

    Used where no case changes anything (each check asserts so), to build the complaint once.
    """
    wrong = {}
    for case in cases:
        try:
            check(*case)
        except AssertionError as problem:
            wrong[repr(case)[:100]] = str(problem)[:400]
    assert wrong == {}


# --- filing a complaint -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"description": "   "}, {"description"}),
        ({"description": "x" * 20_001}, {"description"}),
        ({"contact_name": ""}, {"contact_name"}),
        ({"contact_name": "C" * 201}, {"contact_name"}),
        ({"contact_email": "carol-at-example"}, {"contact_email"}),
        ({"contact_email": ""}, {"contact_email"}),  # an API complaint needs an address to follow it
        ({"category": ""}, {"category"}),
        ({"category": "billing"}, {"category"}),
        ({"category": "product"}, {"fields.serial_number"}),
        ({"category": "product", "fields": {"serial_number": "1234"}}, {"fields.serial_number"}),
        ({"category": "product", "fields": {"serial_number": "SN-1234", "colour": "red"}}, {"fields.colour"}),
        ({"purchase_date": "2999-01-01"}, {"purchase_date"}),
        ({"order_number": "9" * 65}, {"order_number"}),
        ({"description": "", "contact_name": "", "contact_email": "nope"}, {"description", "contact_name"}),
        ({"description": "  ", "contact_name": "Carol", "contact_email": "nope"}, {"description"}),
    ],
)
def test_a_complaint_the_rules_refuse_names_each_wrong_field(acme_api, acme, overrides, fields):
    response = acme_api.post("/complaints", carol_payload(**overrides))

    assert_error(response, 422, "invalid", fields)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"contact_name": "Carol", "contact_email": "carol@example.nl", "category": "delivery"}, {"description"}),
        (carol_payload(description=123), {"description"}),
        (carol_payload(description=None), {"description"}),
        (carol_payload(contact_language="de"), {"contact_language"}),
        (carol_payload(visibility="everyone"), {"visibility"}),
        (carol_payload(channel="pigeon"), {"channel"}),
        (carol_payload(purchase_date="2024-13-45"), {"purchase_date"}),
        (carol_payload(fields=["SN-1234"]), {"fields"}),
        (carol_payload(category="product", fields={"serial_number": ["SN-1234"]}), {"fields.serial_number"}),
        (carol_payload(category="product", fields={"serial_number": {"nested": 1}}), {"fields.serial_number"}),
        (carol_payload(attachments="photo.png"), {"attachments"}),
        (carol_payload(attachments=[{"filename": "photo.png"}]), {"attachments.0.content_base64"}),
        (carol_payload(attachments=[{"name": "a", "content_base64": "AA=="}]), {"attachments.0.filename", "attachments.0.name"}),
        (carol_payload(attachments=[{"filename": "p.png", "content_base64": "AA=="}] * 11), {"attachments"}),
        (carol_payload(colour="red"), {"colour"}),  # extra="forbid": a typo is not silently dropped
        (carol_payload(status="closed"), {"status"}),
        (carol_payload(description="a\x00b"), {"description"}),  # PostgreSQL cannot store NUL
        (carol_payload(category="product", fields={"serial_number": "SN-\x001"}), {"fields"}),
        ([carol_payload()], {"body"}),
        ("a complaint", {"body"}),
    ],
    ids=lambda value: str(value)[:40],
)
def test_a_body_of_the_wrong_shape_is_a_422_naming_the_field(acme_api, acme, payload, fields):
    response = acme_api.post("/complaints", payload)

    assert_error(response, 422, "invalid", fields)
    assert not Complaint.objects.exists()


def test_an_unknown_field_is_named_in_the_message(acme_api, acme):
    body = assert_error(acme_api.post("/complaints", carol_payload(colour="red")), 422, "invalid", {"colour"})

    assert body["message"].startswith("colour: ")


@pytest.mark.parametrize("raw", ['{"description": "kapot",', "not json at all", '{"description": "kapot"} trailing'])
def test_a_body_that_is_not_json_is_a_400(acme_api, acme, raw):
    assert_error(acme_api.post("/complaints", raw=raw), 400, "http_error")


def test_an_empty_body_is_a_422(acme_api, acme):
    assert_error(acme_api.post("/complaints", raw=""), 422, "invalid", {"body"})


def test_a_lone_surrogate_in_json_text_is_a_422_not_a_database_crash(acme_api, acme):
    raw = '{"description": "kapot \\ud800", "contact_name": "Carol", "contact_email": "c@example.nl", "category": "delivery"}'

    assert_error(acme_api.post("/complaints", raw=raw), 422, "invalid", {"description"})


def test_attachments_that_are_not_base64_are_named(acme_api, acme):
    response = acme_api.post(
        "/complaints",
        carol_payload(attachments=[
            {"filename": "ok.png", "content_base64": b64(png_bytes())},
            {"filename": "broken.png", "content_base64": "iVBORw0KGgo=!!"},
        ]),
    )

    assert_error(response, 422, "invalid", {"attachments.1.content_base64"})


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "not accepted"),  # a Windows executable
        (b"<html><script>alert(1)</script></html>", "not accepted"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "could not be read"),  # says PNG, isn't one
    ],
)
def test_a_refused_attachment_is_named_with_its_index_and_reason(acme_api, acme, content, problem):
    response = acme_api.post(
        "/complaints",
        carol_payload(attachments=[
            {"filename": "photo.png", "content_base64": b64(png_bytes())},
            {"filename": "invoice.pdf", "content_base64": b64(content)},
        ]),
    )

    body = assert_error(response, 422, "invalid", {"attachments.1"})
    assert body["errors"]["attachments.1"].startswith("invoice.pdf: ")
    assert problem in body["errors"]["attachments.1"]
    assert not Complaint.objects.exists()


def test_a_body_over_the_size_limit_is_a_413_in_json(acme_api, acme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

    response = acme_api.post("/complaints", carol_payload(description="x" * (1024 * 1024 + 1)))

    assert_error(response, 413, "too_large")


def test_a_second_open_complaint_about_the_same_order_points_to_the_first(shop_api, shop):
    first = shop_api.post("/complaints", carol_payload(category="", order_number="ORD-1001"))
    assert first.status_code == 201
    assert first.json()["reference"] == "ORD-1001"  # webshop-board: the order number is the reference
    withdrawn = shop_api.post("/complaints/ORD-1001/actions/withdraw", {"reason": "Per ongeluk."})
    assert withdrawn.json()["status"] == "withdrawn"
    second = shop_api.post("/complaints", carol_payload(category="", order_number="ORD-1001"))
    assert second.json()["reference"] == "ORD-1001-2"

    third = shop_api.post("/complaints", carol_payload(category="", order_number="ORD-1001"))

    body = assert_error(third, 409, "duplicate_order_number")
    assert "ORD-1001-2" in body["message"]
    assert Complaint.objects.filter(organisation=shop).count() == 2


def test_the_order_number_is_required_where_it_is_the_reference(shop_api, shop):
    assert_error(shop_api.post("/complaints", carol_payload(category="")), 422, "invalid", {"order_number"})


# --- listing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**20}, "offset"),  # would overflow the database's integers
        ({"received_after": "garbage"}, "received_after"),
        ({"received_before": "2025-02-30T00:00:00Z"}, "received_before"),
        ({"received_before": "0.5"}, "received_before"),  # not a Unix time: only ISO 8601 instants
        ({"received_after": "1700000000"}, "received_after"),
        ({"received_after": "2025-03-10T09:00:00"}, "received_after"),  # no time zone: not an instant
        ({"status": "opened"}, "status"),
        ({"stage": 9}, "stage"),
        ({"stage": "first"}, "stage"),
        ({"q": "x" * 201}, "q"),
        ({"q": "boxspring\x00"}, "q"),
        ({"handler": "\x00"}, "handler"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_list_parameters_are_a_422_naming_the_parameter(acme_api, acme, params, field):
    assert_error(acme_api.get("/complaints", params), 422, "invalid", {field})


# --- one complaint --------------------------------------------------------------------------------


UNKNOWN_REFERENCES = ["KL-25-AAAAAA", "nonsense", "%00", "KL-25-%00", "' OR 1=1 --", "x" * 500]


def test_an_unknown_reference_is_a_404(acme_api, complaint):
    def check(reference):
        assert_error(acme_api.get(f"/complaints/{reference}"), 404, "not_found")
        assert_error(acme_api.get(f"/complaints/{reference}/timeline"), 404, "not_found")
        assert_error(acme_api.post(f"/complaints/{reference}/messages", {"body": "Hallo"}), 404, "not_found")
        assert_error(acme_api.post(f"/complaints/{reference}/actions/start"), 404, "not_found")

    assert_each([(reference,) for reference in UNKNOWN_REFERENCES], check)
    assert not Message.objects.exists()


WRONG_MESSAGES = [
    ({"body": ""}, {"body"}),
    ({}, {"body"}),
    ({"body": "x" * 20_001}, {"body"}),
    ({"body": 42}, {"body"}),
    ({"body": "Hallo", "internal": "maybe"}, {"internal"}),
    ({"body": "Hallo", "subject": "Hi"}, {"subject"}),
    ({"body": "Hallo\x00"}, {"body"}),
    ({"body": "Hallo", "attachments": [{"filename": "a.txt", "content_base64": b64(b"plain text")}]}, {"attachments.0"}),
    ({"body": "Hallo", "attachments": [{"filename": "a.png", "content_base64": "@@@"}]}, {"attachments.0.content_base64"}),
]


def test_a_wrong_message_is_a_422(acme_api, complaint):
    def check(payload, fields):
        assert_error(acme_api.post(f"/complaints/{complaint.reference}/messages", payload), 422, "invalid", fields)
        assert not complaint.messages.exists()

    assert_each(WRONG_MESSAGES, check)


def test_an_internal_note_cannot_be_relayed_as_the_consumers(acme_api, complaint):
    response = acme_api.post(
        f"/complaints/{complaint.reference}/messages",
        {"body": "Hallo", "internal": True, "on_behalf_of_consumer": True},
    )

    assert_error(response, 403, "forbidden")


# --- actions -------------------------------------------------------------------------------------------


def test_an_unknown_action_is_a_404_listing_the_actions(acme_api, complaint):
    body = assert_error(acme_api.post(f"/complaints/{complaint.reference}/actions/delete"), 404, "not_found")

    assert "delete" in body["message"] and "propose_resolution" in body["message"]


# Each refused on an acknowledged first-line complaint with nothing proposed or asked.
NOT_NOW = [
    ("acknowledge", None),  # done automatically on arrival
    ("info_received", {"answer": "x", "on_behalf_of_consumer": True}),  # nothing was asked
    ("decide", {"decision": "upheld"}),  # only an escalated complaint gets a decision
    ("refer", {"body": "WebwinkelKeur"}),  # not closed
    ("accept", {"on_behalf_of_consumer": True}),  # nothing proposed
    ("reject", {"on_behalf_of_consumer": True}),
]


def test_an_action_the_state_does_not_allow_is_a_409(acme_api, complaint):
    events = Event.objects.filter(complaint=complaint).count()

    def check(action, payload):
        response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", payload)
        assert assert_error(response, 409, "action_not_allowed")["errors"] == {}
        complaint.refresh_from_db()
        assert complaint.status == "acknowledged"
        assert Event.objects.filter(complaint=complaint).count() == events

    assert_each(NOT_NOW, check)


def test_running_an_action_twice_is_a_409_the_second_time(acme_api, complaint):
    assert acme_api.post(f"/complaints/{complaint.reference}/actions/start").status_code == 200

    body = assert_error(acme_api.post(f"/complaints/{complaint.reference}/actions/start"), 409, "action_not_allowed")

    assert "investigating" in body["message"]


def test_escalating_past_the_last_stage_is_a_409(acme_api, complaint, as_manon):
    actions.escalate(complaint, by=as_manon)

    assert_error(acme_api.post(f"/complaints/{complaint.reference}/actions/escalate"), 409, "action_not_allowed")


NOT_TAKEN = [
    ("start", {"question": "Waarom?"}, {"question"}),
    ("assign", {"handler": "alice", "reason": "Zij is er."}, {"reason"}),
    ("acknowledge", {"letter": {"actions_taken": "a", "conclusions": "b", "decision": "c"}}, {"letter"}),
    ("withdraw", {"reason": "x", "body": "y", "text": "z"}, {"body", "text"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": "1", "comment": "c"}, {"comment"}),
    ("escalate", {"reason": "x", "handler": "alice"}, {"handler"}),
]


def test_a_parameter_the_action_does_not_take_is_a_422(acme_api, complaint, alice):
    def check(action, payload, fields):
        response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", payload)
        assert_error(response, 422, "invalid", fields)
        complaint.refresh_from_db()
        assert complaint.status == "acknowledged" and complaint.handler is None

    assert_each(NOT_TAKEN, check)


WRONG_PARAMETERS = [
    ("assign", None, {"body"}),  # a body with the handler is required
    ("assign", {}, {"handler"}),
    ("assign", {"handler": None}, {"handler"}),
    ("assign", {"handler": "nobody"}, {"handler"}),
    ("assign", {"handler": "ada"}, {"handler"}),  # an admin, not someone who handles complaints
    ("assign", {"handler": 7}, {"handler"}),
    ("ask_info", {"question": "  "}, {"question"}),
    ("ask_info", None, {"body"}),
    ("ask_info", {"question": None}, {"question"}),
    ("escalate", {"reason": None}, {"reason"}),  # null is no parameter: leave it out instead
    ("close", {"letter": None}, {"letter"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": ""}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": 12.5}, {"refund_amount"}),
    ("propose_resolution", {"kinds": [], "text": "x"}, {"kinds"}),
    ("propose_resolution", {"kinds": ["cake"], "text": "x"}, {"kinds.0"}),
    ("propose_resolution", {"kinds": "refund", "text": "x"}, {"kinds"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x"}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": "lots"}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": "-5"}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": "1.999"}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": "1e12"}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["refund"], "text": "x", "refund_amount": "NaN"}, {"refund_amount"}),
    ("propose_resolution", {"kinds": ["compensation"], "text": "x"}, {"compensation_amount"}),
    ("propose_resolution", {"kinds": ["apology"], "text": ""}, {"text"}),
    ("close", {"letter": {"actions_taken": "a", "conclusions": "b"}}, {"letter.decision"}),
    ("close", {"letter": {"actions_taken": "a", "conclusions": "b", "decision": " "}}, {"letter.decision"}),
    ("close", {"letter": {"actions_taken": "a", "conclusions": "b", "decision": "c", "sig": "x"}}, {"letter.sig"}),
    ("close", {"outcome": "upheld"}, {"outcome"}),
    ("close", None, {"letter"}),
    ("reject_as_spam", {"reason": ""}, {"reason"}),
    ("withdraw", {"reason": "x" * 20_001}, {"reason"}),
    ("start", {"on_behalf_of_consumer": "perhaps"}, {"on_behalf_of_consumer"}),
    ("start", [], {"body"}),
]


def test_wrong_action_parameters_are_a_422_naming_them(acme_api, complaint, alice, ada):
    def check(action, payload, fields):
        response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", payload)
        assert_error(response, 422, "invalid", fields)
        complaint.refresh_from_db()
        assert complaint.status == "acknowledged" and complaint.handler is None
        assert not complaint.resolutions.exists() and not complaint.outcome_letters.exists()

    assert_each(WRONG_PARAMETERS, check)


def test_a_malformed_action_body_is_a_400(acme_api, complaint):
    assert_error(acme_api.post(f"/complaints/{complaint.reference}/actions/start", raw="{"), 400, "http_error")


def test_feedback_is_the_consumers_to_give(acme_api, complaint, as_alice):
    actions.propose_resolution(complaint, by=as_alice, kinds=["apology"], text="Excuses.")
    actions.accept(complaint, by=Actor.consumer(complaint))

    response = acme_api.post(
        f"/complaints/{complaint.reference}/actions/close", {"feedback": {"resolved": True, "satisfaction": 5}}
    )

    assert_error(response, 403, "forbidden")


def test_feedback_satisfaction_runs_from_1_to_5(acme_api, complaint):
    response = acme_api.post(
        f"/complaints/{complaint.reference}/actions/close",
        {"feedback": {"resolved": True, "satisfaction": 6}, "on_behalf_of_consumer": True},
    )

    assert_error(response, 422, "invalid", {"feedback.satisfaction"})


# --- authentication ---------------------------------------------------------------------------------


def _every_endpoint(reference: str):
    return [
        ("get", "/complaints", None),
        ("post", "/complaints", carol_payload()),
        ("get", f"/complaints/{reference}", None),
        ("get", f"/complaints/{reference}/timeline", None),
        ("post", f"/complaints/{reference}/messages", {"body": "Hallo"}),
        ("post", f"/complaints/{reference}/actions/start", None),
        ("get", "/categories", None),
    ]


def _call(api: ApiClient, method: str, path: str, body):
    return api.get(path) if method == "get" else api.post(path, body)


NOT_A_VALID_BEARER = [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer ghd_thisisnotatokenofanyone0000000000000000000",
    "Bearer not-even-our-format",
    "Token {token}",
    "Basic {token}",
    "{token}",
    "Bearer {token}x",
]


def test_without_a_valid_bearer_token_every_endpoint_is_a_401(acme, acme_token, complaint):
    api = ApiClient(None)
    before = (Complaint.objects.count(), Event.objects.count())

    def check(authorization):
        headers = {} if authorization is None else {"Authorization": authorization.format(token=acme_token)}
        for method, path, body in _every_endpoint(complaint.reference):
            response = api.get(path, headers=headers) if method == "get" else api.post(path, body, headers=headers)
            assert_error(response, 401, "unauthorized")

    assert_each([(authorization,) for authorization in NOT_A_VALID_BEARER], check)
    assert (Complaint.objects.count(), Event.objects.count()) == before


def test_a_revoked_token_is_a_401_everywhere(acme_api, acme_token, complaint):
    assert acme_api.get("/complaints").status_code == 200
    call_command("revoke-token", acme_token[:12], stdout=io.StringIO())

    for method, path, body in _every_endpoint(complaint.reference):
        assert_error(_call(acme_api, method, path, body), 401, "unauthorized")


def test_a_logged_in_staff_member_without_a_token_is_a_401(acme, manon, complaint):
    api = ApiClient(None)
    api.client.force_login(manon)

    assert_error(api.get(f"/complaints/{complaint.reference}"), 401, "unauthorized")
    assert not Event.objects.filter(complaint=complaint, kind="personal_data_viewed").exists()


def test_a_token_records_when_it_was_last_used(acme_api, acme, acme_token):
    token = ApiToken.objects.get(organisation=acme)
    assert token.last_used_at is None

    acme_api.get("/categories")

    token.refresh_from_db()
    assert token.last_used_at is not None
