"""Every action the API says is allowed can be called (the lifecycle's registry is the one list).

For each state Carol's complaint can be in, the token's own actions are those the complaint's
`allowed_actions` lists, and the consumer's are those the lifecycle allows Carol: each of them,
posted with valid parameters, must succeed. A new action without an example here fails the first test.
"""

import pytest

from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint

pytestmark = pytest.mark.django_db

LETTER = {"actions_taken": "Foto's bekeken.", "conclusions": "Schade bij het vervoer.", "decision": "Afgewezen."}

# A valid body for each action the API offers, by who runs it: the token as staff, or for Carol.
AS_STAFF = {
    "assign": {"handler": "alice"},
    "set_category": {"category": "product"},
    "acknowledge": None,
    "start": None,
    "ask_info": {"question": "Heeft u een foto?"},
    "info_received": {"answer": "Carol belde: rood."},
    "propose_resolution": {"kinds": ["refund"], "text": "Geld terug.", "refund_amount": "10.00"},
    "escalate": {"reason": "Naar de manager."},
    "decide": {"decision": "not_upheld", "letter": LETTER},
    "close": {"outcome": "not_upheld", "letter": LETTER},
    "refer": {"body": "WebwinkelKeur"},
    "extend_deadline": None,  # needs the pending deadline's kind: see `extension`
    "withdraw": {"reason": "Per ongeluk."},
    "reject_as_spam": {"reason": "Reclame."},
}
FOR_CAROL = {
    "info_received": {"answer": "Rood."},
    "accept": {"comment": "Prima."},
    "reject": {"comment": "Liever niet."},
    "escalate": {"reason": "Ik wil verder."},
    "close": {"feedback": {"resolved": True, "satisfaction": 4}},
    "refer": {"body": "WebwinkelKeur"},
    "withdraw": {"reason": "Opgelost."},
    # Only with a company reply waiting for confirmation on a platform complaint: never offered on
    # Acme's (its guard), tested in platform/tests/test_companies.py.
}

# From acknowledged (Acme acknowledges on receipt), by the token.
ROADS = {
    "acknowledged": [],
    "investigating": [("start", None)],
    "awaiting_consumer": [("ask_info", {"question": "Welke kleur?"})],
    "resolution_proposed": [("propose_resolution", {"kinds": ["apology"], "text": "Excuses."})],
    "resolved": [("propose_resolution", {"kinds": ["apology"], "text": "Excuses."}), ("accept", "carol")],
    "escalated": [("escalate", None)],
    "escalation_acknowledged": [("escalate", None), ("acknowledge", None)],
    "closed": [("close", {"outcome": "not_upheld", "letter": LETTER})],
}


def platform_actions() -> set[str]:
    """The platform's own actions (declared in gehoord/platform/): an organisation's API never runs
    them, so a company's integration cannot speak for the consumer's verdict or legal-aid request."""
    return {name for name, declared in lifecycle.ACTIONS.items() if declared.function.__module__.startswith("gehoord.platform.")}


def test_every_action_a_door_can_call_has_an_example_here():
    staff_side = {name for name, declared in lifecycle.ACTIONS.items()
                  if declared.who & {lifecycle.STAGE_STAFF, lifecycle.MANAGER}} - platform_actions()
    consumer_side = {name for name, declared in lifecycle.ACTIONS.items() if lifecycle.CONSUMER in declared.who} - platform_actions()
    assert set(AS_STAFF) == staff_side
    assert set(FOR_CAROL) == consumer_side


def reach(acme_api, complaint, road: str) -> Complaint:
    for action, body in ROADS[road]:
        if body == "carol":
            response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", {"on_behalf_of_consumer": True})
        else:
            response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", body)
        assert response.status_code == 200, (road, action, response.json())
    return Complaint.objects.get(pk=complaint.pk)


def extension(complaint) -> dict:
    pending = complaint.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True, stage=complaint.stage).first()
    due = pending.due_at.replace(year=pending.due_at.year + 1)
    return {"kind": pending.kind, "due_at": due.isoformat(), "reason": "Wij wachten op de vervoerder."}


@pytest.mark.parametrize("road", list(ROADS))
def test_each_action_the_token_is_offered_succeeds(acme, acme_api, alice, road):
    probe = reach(acme_api, carol_complaint(acme), road)
    offered = acme_api.get(f"/complaints/{probe.reference}").json()["allowed_actions"]
    assert offered, road

    for action in offered:
        complaint = reach(acme_api, carol_complaint(acme), road)
        body = extension(complaint) if action == "extend_deadline" else AS_STAFF[action]
        response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", body)
        assert response.status_code == 200, (road, action, response.json())


@pytest.mark.parametrize("road", list(ROADS))
def test_each_action_carol_is_allowed_succeeds_when_relayed(acme, acme_api, alice, road):
    probe = reach(acme_api, carol_complaint(acme), road)
    allowed = lifecycle.allowed_actions(probe, Actor.consumer(probe))

    for action in allowed:
        complaint = reach(acme_api, carol_complaint(acme), road)
        body = {**FOR_CAROL[action], "on_behalf_of_consumer": True}
        response = acme_api.post(f"/complaints/{complaint.reference}/actions/{action}", body)
        assert response.status_code == 200, (road, action, response.json())


def test_the_sweeps_actions_are_no_doors_business(acme_api, complaint):
    for name, declared in lifecycle.ACTIONS.items():
        if declared.internal:
            response = acme_api.post(f"/complaints/{complaint.reference}/actions/{name}")
            assert response.status_code == 404, name
    assert {"remind", "mark_missed", "send_progress_update"} <= {
        name for name, declared in lifecycle.ACTIONS.items() if declared.internal
    }
    assert actions.remind is lifecycle.ACTIONS["remind"].function


def carol_complaint(acme):
    from conftest import carol_complaint as file

    return file(acme)
