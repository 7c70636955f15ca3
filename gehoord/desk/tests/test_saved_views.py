"""Saved views of the register and the queue (issue 15): Alice saves her own, Manon shares one with
the service team; each sees what is theirs and their teams', with the count of complaints it
matches; only the owner (or a manager, for a shared one) renames or deletes; Oscar of Other
sees none of it."""

import re

import pytest
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints.models import Complaint, Status
from gehoord.desk.tests.conftest import browser
from gehoord.insights import saved_views
from gehoord.insights.models import SavedView
from gehoord.organisations.models import Team

pytestmark = pytest.mark.django_db

REGISTER = reverse("desk:register", args=["acme"])
QUEUE = reverse("desk:queue", args=["acme"])
CREATE = reverse("desk:saved_view_create", args=["acme"])


@pytest.fixture
def service(acme, alice, manon):
    team = Team.objects.create(organisation=acme, name="Service")
    team.members.add(alice, manon)
    return team


@pytest.fixture
def filed(acme):
    """Three complaints by web, one by phone; one of the web ones closed."""
    web = [carol_complaint(acme, contact_email=f"klant{n}@example.nl") for n in range(3)]
    carol_complaint(acme, channel="phone", contact_email="bel@example.nl")
    Complaint.objects.filter(pk=web[0].pk).update(status=Status.CLOSED)
    return web


def listed_views(answer) -> dict[str, str]:
    """The saved views beside a page: name → the count shown."""
    html = answer.content.decode()
    assert answer.status_code == 200
    section = html.split('class="card saved-views"', 1)[1].split("</section>", 1)[0]
    return dict(re.findall(r'<a href="[^"]*"(?: aria-current="true")?>([^<]+)</a>\s*<span class="count"[^>]*>([^<]+)</span>', section))


def save(client, name: str, page: str, query: str, team=None):
    return client.post(CREATE, {"name": name, "page": page, "query": query, "team": team.pk if team else ""})


def test_alice_saves_a_register_view_and_sees_it_with_its_count(acme, alice, manon, filed):
    answer = save(browser(alice), "Web, all", "register", "channel=web")
    assert answer.status_code == 302 and answer["Location"] == f"{REGISTER}?channel=web"
    view = SavedView.objects.get()
    assert (view.owner, view.team, view.page, view.query) == (alice, None, "register", "channel=web")
    assert listed_views(browser(alice).get(REGISTER)) == {"Web, all": "3"}
    assert listed_views(browser(manon).get(REGISTER)) == {}  # her own: nobody else sees it
    assert listed_views(browser(alice).get(QUEUE)) == {}  # a register view, not the queue's


def test_a_queue_view_counts_open_complaints_as_the_queue_does(acme, alice, filed):
    save(browser(alice), "Open web", "queue", "channel=web")
    assert listed_views(browser(alice).get(QUEUE)) == {"Open web": "2"}


def test_a_shared_view_is_seen_by_the_team_and_a_manager_may_remove_it(acme, alice, manon, bert, service, filed):
    save(browser(alice), "Phone", "register", "channel=phone", team=service)
    view = SavedView.objects.get()
    assert view.team == service
    assert listed_views(browser(manon).get(REGISTER)) == {"Phone": "1"}
    assert listed_views(browser(bert).get(REGISTER)) == {}  # not in the team
    assert browser(bert).post(reverse("desk:saved_view_delete", args=["acme", view.pk])).status_code == 404
    browser(manon).post(reverse("desk:saved_view_rename", args=["acme", view.pk]), {"name": "Telefoon"})
    assert SavedView.objects.get().name == "Telefoon"
    browser(manon).post(reverse("desk:saved_view_delete", args=["acme", view.pk]))
    assert not SavedView.objects.exists()


def test_only_the_owner_changes_a_personal_view(acme, alice, manon, service, filed):
    save(browser(alice), "Mine", "register", "")
    view = SavedView.objects.get()
    for url in (reverse("desk:saved_view_rename", args=["acme", view.pk]), reverse("desk:saved_view_delete", args=["acme", view.pk])):
        assert browser(manon).post(url, {"name": "Taken"}).status_code == 404
    assert SavedView.objects.get().name == "Mine"
    browser(alice).post(reverse("desk:saved_view_rename", args=["acme", view.pk]), {"name": "Alles"})
    assert SavedView.objects.get().name == "Alles"


def test_an_agent_may_not_change_a_shared_view_of_someone_else(acme, alice, manon, service, filed):
    save(browser(manon), "Team view", "register", "status=open", team=service)
    view = SavedView.objects.get()
    assert listed_views(browser(alice).get(REGISTER)) == {"Team view": "3"}
    assert browser(alice).post(reverse("desk:saved_view_delete", args=["acme", view.pk])).status_code == 404
    assert SavedView.objects.exists()


def test_bad_input_changes_nothing(acme, alice, oscar, filed):
    other_team = Team.objects.create(organisation=oscar.memberships.first().organisation, name="Elsewhere")
    client = browser(alice)
    refused = client.post(CREATE, {"name": "", "page": "register", "query": "channel=web"}, follow=True)
    assert "The view was not saved" in refused.content.decode()
    save(client, "x" * 81, "register", "")
    save(client, "Team of another", "register", "", team=other_team)
    assert client.post(CREATE, {"name": "Bad page", "page": "settings", "query": ""}).status_code == 404
    assert not SavedView.objects.exists()


def test_an_outsider_cannot_see_save_or_change_views(acme, alice, oscar, filed):
    save(browser(alice), "Mine", "register", "")
    view = SavedView.objects.get()
    other = browser(oscar)
    assert other.post(CREATE, {"name": "Sneaky", "page": "register", "query": ""}).status_code == 404
    assert other.post(reverse("desk:saved_view_delete", args=["acme", view.pk])).status_code == 404
    assert other.post(reverse("desk:saved_view_delete", args=["other", view.pk])).status_code == 404
    assert SavedView.objects.count() == 1


def test_counts_stop_at_the_cap(acme, alice, filed, monkeypatch):
    monkeypatch.setattr(saved_views, "COUNT_CAP", 2)
    save(browser(alice), "All", "register", "")
    assert listed_views(browser(alice).get(REGISTER)) == {"All": "2+"}


def test_a_view_with_values_the_form_refuses_counts_without_them(acme, alice, filed):
    SavedView.objects.create(organisation=acme, page="register", name="Old", query="channel=pigeon", owner=alice)
    assert listed_views(browser(alice).get(REGISTER)) == {"Old": "4"}


def test_a_view_with_a_text_search_shows_no_count(acme, alice, filed):
    save(browser(alice), "Boxspring", "register", "q=boxspring")
    html = browser(alice).get(REGISTER).content.decode()
    assert ">Boxspring</a>" in html and listed_views(browser(alice).get(REGISTER)) == {}
