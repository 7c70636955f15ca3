"""The organisation's access log and a person's data on request (/desk/<org>/settings/toegang/,
/desk/<org>/settings/gegevens/): company admin Ada sees who of her staff viewed or exported
personal data, by staff member and day, page by page; nobody else sees it; she produces one
person's ZIP, which the log then shows."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.models import Event
from gehoord.desk.privacy_views import PER_PAGE
from gehoord.desk.tests.conftest import browser, page_url

pytestmark = pytest.mark.django_db


def log_url(organisation, **query) -> str:
    url = reverse("desk:settings_access_log", args=[organisation.slug])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def rows(answer) -> list[str]:
    assert answer.status_code == 200
    html = answer.content.decode()
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(row.split()) for row in body.split("<tr>")[1:]]


@pytest.fixture
def viewed(acme, alice, manon):
    """Alice opened Carol's complaint today, Manon opened Dirk's a week ago."""
    carols, dirks = carol_complaint(acme), carol_complaint(acme, contact_name="Dirk", contact_email="dirk@example.nl")
    browser(alice).get(page_url(carols))
    browser(manon).get(page_url(dirks))
    Event.objects.filter(complaint=dirks, kind="personal_data_viewed").update(
        created_at=timezone.now() - datetime.timedelta(days=7)
    )
    return carols, dirks


def test_ada_sees_every_view_of_personal_data_newest_first(acme, ada, viewed):
    carols, dirks = viewed
    found = rows(browser(ada).get(log_url(acme)))
    assert len(found) == 2
    assert "Alice" in found[0] and "Personal data viewed" in found[0] and carols.reference in found[0]
    assert "Manon" in found[1] and dirks.reference in found[1]


def test_ada_filters_by_staff_member_and_by_day(acme, ada, alice, manon, viewed):
    carols, dirks = viewed
    only_manon = rows(browser(ada).get(log_url(acme, staff=manon.pk)))
    assert len(only_manon) == 1 and dirks.reference in only_manon[0]
    today = timezone.localdate().isoformat()
    since_today = rows(browser(ada).get(log_url(acme, since=today)))
    assert len(since_today) == 1 and carols.reference in since_today[0]
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert len(rows(browser(ada).get(log_url(acme, since=week_ago, until=week_ago)))) == 1


def test_a_bad_filter_shows_the_error_and_the_whole_log(acme, ada, viewed):
    answer = browser(ada).get(log_url(acme, since="yesterday"))
    assert "Enter a valid date." in answer.content.decode()
    assert len(rows(answer)) == 2


def test_the_log_is_paginated(acme, ada, alice, time_machine):
    complaint = carol_complaint(acme)
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    for quarter in range(PER_PAGE + 3):  # a view each quarter hour: each one is an event
        time_machine.move_to(start + quarter * actions.VIEW_INTERVAL, tick=False)
        actions.record_personal_data_view(complaint, by=actions.Actor.staff(alice, acme))
    assert len(rows(browser(ada).get(log_url(acme)))) == PER_PAGE
    assert len(rows(browser(ada).get(log_url(acme, page=2)))) == 3


def test_only_the_organisations_admins_see_it(acme, other, alice, oscar, ada, viewed):
    assert browser(alice).get(log_url(acme)).status_code == 404
    assert browser(oscar).get(log_url(acme)).status_code == 404
    assert browser(ada).get(log_url(other)).status_code == 404


def test_ada_produces_a_persons_data_on_request_and_the_log_shows_it(acme, other, ada, viewed):
    carols, _dirks = viewed
    carol_complaint(other, contact_email="carol@example.nl", description="Bij een ander bedrijf.")
    url = reverse("desk:settings_person_export", args=[acme.slug])

    answer = browser(ada).post(url, {"email": "CAROL@example.nl"})

    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as archive:
        data = json.loads(archive.read("data.json"))
    assert [c["reference"] for c in data["complaints"]] == [carols.reference]
    exported = rows(browser(ada).get(log_url(acme)))[0]
    assert "Ada" in exported and "Personal data exported" in exported and carols.reference in exported


def test_an_address_without_complaints_here_gets_an_error_and_no_zip(acme, ada):
    answer = browser(ada).post(reverse("desk:settings_person_export", args=[acme.slug]), {"email": "nobody@example.nl"})
    assert answer.status_code == 404 and "no complaint from this address" in answer.content.decode()
    assert not Event.objects.filter(kind="data_exported").exists()
