"""The report pages: a company's managers (and board and admins) see its report over a chosen
period, read from the daily figures; moderators see a company's platform complaints only; anyone
else gets 404; a bad period is refused with the reason and shows no figures."""

import re

import pytest
from django.contrib.auth import get_user_model

from conftest import make_organisation
from gehoord.complaints.intake import NewComplaint
from gehoord.complaints.actors import Actor
from gehoord.desk.tests.conftest import browser
from gehoord.insights import daily
from gehoord.insights.tests import scenario
from gehoord.organisations.models import PlatformMembership, PlatformRole
from gehoord.platform.filing import file_on_platform

pytestmark = pytest.mark.django_db

URL = "/desk/acme/reports/"


@pytest.fixture
def month(time_machine, acme, alice):
    complaints = scenario.build(time_machine, acme, alice)
    time_machine.move_to(scenario.T0 + 10 * scenario.DAY, tick=False)
    daily.summarise()
    return complaints


def cells(page: str, heading: str) -> list[list[str]]:
    """The rows of the table under `heading`, each as its cells' texts."""
    section = page.split(f">{heading}</h2>", 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1], re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_manager_sees_the_month_in_charts_and_tables(month, manon):
    response = browser(manon).get(URL, {"month": "2026-11"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "From 1 November 2026 up to and including 30 November 2026" in page
    assert cells(page, "By category") == [["Delivery", "2"], ["No category", "1"]]
    assert cells(page, "Deadlines") == [["Acknowledgement (first line)", "3", "0", "100.0 %"], ["Answer (first line)", "1", "0", "100.0 %"]]
    assert cells(page, "Times") == [
        ["Time to acknowledge", "3", "0.1 hours", "0.1 hours"],
        ["Time to the first answer", "1", "18.0 hours", "22.8 hours"],
        ["Time to resolve", "2", "2.0 days", "42.0 days"],
    ]
    assert cells(page, "Backlog")[2] == ["8–14 days", "1"]
    assert cells(page, "Escalation, referral and reopening")[0] == ["Escalated", "1", "33.3 %"]
    assert cells(page, "Money refunded or compensated") == [["Refunded", "1", "EUR 50.00"], ["Compensated", "0", "EUR 0.00"]]
    assert cells(page, "Handler workload") == [["Unassigned", "1", "1"], ["Alice", "0", "2"]]
    assert ["Average", "1", "4.0"] in cells(page, "Consumer satisfaction")
    # Every chart names itself for screen readers and states its numbers; nothing inline to run or style.
    charts = re.findall(r"<svg[^>]*class=\"chart\">", page)  # the bell in the header is an svg too
    assert len(charts) == 11 and all('role="img"' in tag and "aria-label=" in tag for tag in charts)
    assert "<script" not in page.split("<main", 1)[1] and "style=" not in page
    assert 'href="/desk/acme/reports/problems/"' in page


def test_the_default_is_the_last_thirty_days(month, manon):
    page = browser(manon).get(URL).content.decode()
    # 12 November back to 14 October: A, B and C (2 November) but not D (1 October).
    assert "From 14 October 2026 up to and including 12 November 2026" in page
    assert "3 complaints received" in page


@pytest.mark.parametrize(
    "query, error",
    [
        ({"month": "2026-13"}, "Give the month as year and month, e.g. 2026-11."),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "The period cannot end before it starts."),
        ({"start": "2020-01-01", "end": "2026-11-01"}, "A report covers at most three years."),
        ({"start": "2026-11-01"}, "Give both dates, or neither."),
        ({"start": "gisteren", "end": "2026-11-01"}, "Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_with_the_reason(month, manon, query, error):
    response = browser(manon).get(URL, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and 'class="chart"' not in page


def test_only_managers_board_and_admins_of_the_organisation_get_in(acme, alice, manon, bert, ada, oscar, client):
    assert client.get(URL).status_code == 302  # to log in
    assert browser(alice).get(URL).status_code == 404  # an agent
    assert browser(oscar).get(URL).status_code == 404  # another organisation's manager
    for user in (manon, bert, ada):
        assert browser(user).get(URL).status_code == 200


def test_a_moderator_sees_a_company_s_platform_complaints_only(time_machine, month, acme, manon):
    time_machine.move_to(scenario.T0 + 3 * scenario.DAY, tick=False)
    new = NewComplaint(description="Nooit geleverd.", contact_name="Carol", contact_email="carol@example.nl", product="Kast",
                       category="delivery")
    file_on_platform(acme, new, by=Actor.system())
    time_machine.move_to(scenario.T0 + 10 * scenario.DAY, tick=False)
    daily.summarise()
    mo = get_user_model().objects.create_user(username="mo", first_name="Mo")
    PlatformMembership.objects.create(user=mo, role=PlatformRole.MODERATOR)
    url = "/moderatie/bedrijven/acme/rapport/"

    page = browser(mo).get(url, {"month": "2026-11"}).content.decode()

    assert "Report on Acme" in page and "1 complaint received" in page
    assert cells(page, "By product") == [["Kast", "1"]]
    # The company's own desk report counts it with the rest.
    assert "4 complaints received" in browser(manon).get(URL, {"month": "2026-11"}).content.decode()
    assert browser(manon).get(url).status_code == 404
