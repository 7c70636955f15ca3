"""The desk offers exactly the lifecycle's registry: a form for every action staff can run, and
every form the complaint page offers to an agent, a manager or a board member succeeds when posted.
"""

import pytest
from django.contrib.messages import get_messages

from conftest import carol_complaint
from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint
from gehoord.desk import forms
from gehoord.desk.tests.conftest import action_url, browser, offered_actions, page_url
from gehoord.organisations.models import Category

pytestmark = pytest.mark.django_db

LETTER = {"actions_taken": "Onderzocht.", "conclusions": "Geen fout.", "letter_decision": "Afgewezen."}


def form_data(complaint, action: str, user) -> dict:
    """What a member of staff fills in for `action` on `complaint` (fields without their prefix)."""
    if action == "extend_deadline":
        pending = complaint.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).order_by("due_at").first()
        due = pending.due_at.replace(year=pending.due_at.year + 1)
        return {"deadline": pending.kind, "due_at": due.strftime("%Y-%m-%dT%H:%M"), "reason": "Wachten op onderdelen."}
    return {
        "assign": {"handler": user.pk},
        "set_category": {"category": "product" if complaint.category and complaint.category.slug == "bezorging" else "bezorging"},
        "acknowledge": {},
        "start": {},
        "ask_info": {"question": "Heeft u een foto?"},
        "info_received": {"answer": "Carol belde: rood."},
        "propose_resolution": {"kinds": ["apology"], "text": "Onze excuses."},
        "escalate": {"reason": "Naar de volgende fase."},
        "decide": {"decision": "not_upheld", **LETTER},
        "close": {"outcome": "not_upheld", **LETTER},
        "refer": {"other": "De geschillencommissie"},
        "withdraw": {"reason": "Op verzoek van Carol."},
        "reject_as_spam": {"reason": "Reclame."},
    }[action]


def test_every_action_staff_can_run_has_a_desk_form():
    staff_side = {
        name for name, declared in lifecycle.ACTIONS.items() if declared.who & {lifecycle.STAGE_STAFF, lifecycle.MANAGER}
    }
    assert set(forms.ACTION_FORMS) == staff_side
    assert all(form.action == name for name, form in forms.ACTION_FORMS.items())


# Carol's complaint at the web shop (seed 001: a person acknowledges, the board is stage 3), by step.
ROADS = {
    "received": [],
    "acknowledged": [("acknowledge", "manon")],
    "investigating": [("acknowledge", "manon"), ("start", "manon")],
    "awaiting_consumer": [("acknowledge", "manon"), ("ask_info", "manon")],
    "resolution_proposed": [("acknowledge", "manon"), ("propose_resolution", "manon")],
    "with_the_board": [("acknowledge", "manon"), ("escalate", "manon")],
    "board_acknowledged": [("acknowledge", "manon"), ("escalate", "manon"), ("acknowledge", "bert")],
    "closed": [("acknowledge", "manon"), ("start", "manon"), ("close", "manon")],
}
ARGUMENTS = {
    "acknowledge": {},
    "start": {},
    "ask_info": {"question": "Welke kleur?"},
    "propose_resolution": {"kinds": ["apology"], "text": "Excuses."},
    "escalate": {},
    "close": {"outcome": "not_upheld", "letter": actions.LetterInput("Onderzocht.", "Geen fout.", "Afgewezen.")},
}


@pytest.fixture
def shop(shop):
    """The web shop with two categories, so there is one to set."""
    Category.objects.create(organisation=shop, slug="bezorging", name="Bezorging")
    Category.objects.create(organisation=shop, slug="product", name="Product")
    return shop


def reach(shop, people, road: str) -> Complaint:
    complaint = carol_complaint(shop, order_number=f"ORD-{Complaint.objects.count() + 1}", category="bezorging")
    for action, who in ROADS[road]:
        actions.perform(action, complaint, by=Actor.staff(people[who], shop), **ARGUMENTS[action])
    return Complaint.objects.get(pk=complaint.pk)


@pytest.mark.parametrize("road", list(ROADS))
@pytest.mark.parametrize("who", ["alice", "manon", "bert"])
def test_each_form_the_page_offers_succeeds(shop, alice, manon, bert, who, road):
    people = {"alice": alice, "manon": manon, "bert": bert}
    person = people[who]
    probe = reach(shop, people, road)
    offered = lifecycle.allowed_actions(probe, Actor.staff(person, shop))
    page = browser(person).get(page_url(probe)).content.decode()
    assert offered_actions(page) == set(offered), (who, road)

    for action in offered:
        complaint = reach(shop, people, road)
        client = browser(person)
        data = {f"{action}-{name}": value for name, value in form_data(complaint, action, person).items()}
        response = client.post(action_url(complaint, action), data)
        assert response.status_code == 302, (who, road, action, response.content.decode()[:2000])
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"], (who, road, action)
