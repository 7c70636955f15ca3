"""The recurring-problems page (issue 14): complaint managers see each alert with why it fired, its
complaints and the process changes of their outcome letters, and acknowledge or resolve it; everyone
else gets 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from gehoord.complaints.models import OutcomeLetter
from gehoord.desk.tests.conftest import assert_no_inline_code, browser
from gehoord.insights import problems
from gehoord.insights.models import AlertState, ProblemAlert
from gehoord.insights.tests import generated
from gehoord.organisations.models import Role


def url(organisation) -> str:
    return reverse("desk:problems", args=[organisation.slug])


@pytest.fixture
def planted(acme, manon):
    """A scanned half year of Acme's complaints with fifteen reports of one inverter fault, one of
    them answered with a process change."""
    generated.spread(acme, 300, seed=21)
    planted = generated.planted(acme, seed=22)
    OutcomeLetter.objects.create(
        complaint=planted[0], stage=1, actions_taken="Logbestanden bekeken.", conclusions="Fout in de firmware.",
        changes="Firmware 2.1 teruggedraaid voor alle omvormers.", decision="Gegrond.", written_by=manon,
        written_at=timezone.now(),
    )
    problems.scan(acme)
    return planted


@pytest.fixture
def alert(acme, planted):
    return ProblemAlert.objects.of_organisation(acme).get()


def test_a_manager_sees_why_the_alert_fired_its_complaints_and_the_process_changes(
    acme, planted, alert, as_manon_browser, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):  # rows read, nothing computed over the complaints
        response = as_manon_browser.get(url(acme))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Similar descriptions:" in html
    assert "15 complaints in the 14 days up to" in html and "were expected" in html
    assert f"this group held 0 of {alert.baseline_total} complaints (0.0%)" in html
    for complaint in planted:
        assert reverse("desk:complaint", args=[acme.slug, complaint.reference]) in html
    assert "Firmware 2.1 teruggedraaid voor alle omvormers." in html
    assert_no_inline_code(html)


def test_a_manager_acknowledges_and_then_resolves_an_alert(acme, alert, manon, as_manon_browser):
    response = as_manon_browser.post(url(acme), {"alert": alert.pk, "action": "acknowledge"}, follow=True)
    assert "The alert is acknowledged." in response.content.decode()
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, manon)

    response = as_manon_browser.post(
        url(acme), {"alert": alert.pk, "action": "resolve", "note": "Firmware teruggedraaid."}, follow=True
    )

    alert.refresh_from_db()
    assert (alert.state, alert.resolved_by, alert.resolution_note) == (AlertState.RESOLVED, manon, "Firmware teruggedraaid.")
    html = response.content.decode()
    assert "The alert is resolved." in html and "No recurring problem is rising at the moment." in html
    assert "by Manon." in html and "Firmware teruggedraaid." in html  # under "Resolved"


@pytest.mark.parametrize("post", [{"alert": "x", "action": "resolve"}, {"alert": "1", "action": "delete"}, {}])
def test_a_request_not_understood_changes_nothing(acme, alert, as_manon_browser, post):
    response = as_manon_browser.post(url(acme), post, follow=True)

    assert "nothing was changed" in response.content.decode()
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_another_organisations_alert_cannot_be_resolved_from_here(acme, other, alert, as_manon_browser):
    theirs = ProblemAlert.objects.create(
        organisation=other, kind=alert.kind, key=alert.key, label="theirs", first_fired_at=alert.first_fired_at,
        last_fired_at=alert.last_fired_at, window_start=alert.window_start, window_end=alert.window_end,
        window_days=14, baseline_days=182, count=15, expected=0.1, baseline_count=0, baseline_total=100,
        recent_total=20, p_value=1e-12,
    )

    response = as_manon_browser.post(url(acme), {"alert": theirs.pk, "action": "resolve"}, follow=True)

    assert "This alert is already resolved." in response.content.decode()  # as if it did not exist here
    theirs.refresh_from_db()
    assert theirs.state == AlertState.OPEN


@pytest.mark.parametrize("persona", ["alice", "bert", "ada", "oscar"])
def test_anyone_but_a_complaint_manager_of_the_organisation_gets_404(acme, alert, persona, request):
    user = request.getfixturevalue(persona)

    assert browser(user).get(url(acme)).status_code == 404
    assert browser(user).post(url(acme), {"alert": alert.pk, "action": "resolve"}).status_code == 404
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_a_visitor_is_sent_to_log_in(acme, client):
    response = client.get(url(acme))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_manager_of_another_organisation_sees_only_its_own_alerts(acme, other, alert):
    manon_of_other = make_staff(other, "manon2", Role.MANAGER)

    response = browser(manon_of_other).get(url(other))

    assert response.status_code == 200
    assert "No recurring problem is rising at the moment." in response.content.decode()
