"""The notifications in the desk: the bell's count, the list, marking read, opening one, the mail
settings; and nobody reads another's notifications (404)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.desk.tests.conftest import assert_no_inline_code, browser
from gehoord.mail.models import NotificationKind, NotificationSettings, StaffNotification


def bell_count(html: str) -> int:
    match = re.search(r'<a id="notification-bell"[^>]*>.*?</a>', html, re.DOTALL)
    assert match, "the desk's header has no bell"
    count = re.search(r'class="badge bell-count"[^>]*>(\d+)<', match.group(0))
    return int(count.group(1)) if count else 0


@pytest.fixture
def answered(acme, alice, as_manon):
    """Carol's complaint, given to Alice by Manon, and Carol's answer on it: two notifications for Alice."""
    complaint = actions.assign(carol_complaint(acme), by=as_manon, handler=alice)
    StaffNotification.objects.filter(kind=NotificationKind.NEW_COMPLAINT).delete()
    actions.add_message(complaint, by=Actor.consumer(complaint), body="Hierbij de foto van de schade.")
    return complaint


def test_the_bell_counts_my_unread_notifications_with_one_indexed_count(answered, alice):
    page = browser(alice)
    with CaptureQueriesContext(connection) as queries:
        queue = page.get(reverse("desk:queue", args=["acme"]))

    assert bell_count(queue.content.decode()) == 2
    assert_no_inline_code(queue.content.decode())
    [bell] = [query["sql"] for query in queries if StaffNotification._meta.db_table in query["sql"]]
    assert bell.startswith("SELECT COUNT(*)") and '"read_at" IS NULL' in bell


def test_the_list_links_each_notification_to_its_complaint(answered, alice):
    response = browser(alice).get(reverse("desk:notifications", args=["acme"]))
    html = response.content.decode()

    assert response.status_code == 200
    mine = list(StaffNotification.objects.filter(recipient=alice).order_by("-id"))
    assert [row.kind for row in mine] == [NotificationKind.CONSUMER_ANSWERED, NotificationKind.ASSIGNED]
    for notification in mine:
        assert reverse("desk:notification_open", args=["acme", notification.pk]) in html
    assert "The consumer answered" in html and "Assigned to you" in html
    assert answered.reference in html


def test_opening_a_notification_marks_it_read_and_lands_on_the_complaint(answered, alice):
    page = browser(alice)
    notification = StaffNotification.objects.filter(recipient=alice).latest("id")

    response = page.get(reverse("desk:notification_open", args=["acme", notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:complaint", args=["acme", answered.reference])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert bell_count(page.get(response["Location"]).content.decode()) == 1


def test_mark_one_and_mark_all_read(answered, alice, manon):
    page = browser(alice)
    first, second = StaffNotification.objects.filter(recipient=alice).order_by("id")
    manons = StaffNotification.objects.create(
        recipient=manon, organisation=answered.organisation, complaint=answered, event=first.event,
        kind=NotificationKind.ASSIGNED, created_at=first.created_at,
    )

    response = page.post(reverse("desk:notification_read", args=["acme", first.pk]), {"next": "/desk/acme/"})
    assert response["Location"] == "/desk/acme/"
    assert StaffNotification.objects.filter(recipient=alice, read_at__isnull=True).get() == second

    response = page.post(reverse("desk:notifications_read_all", args=["acme"]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("desk:notifications", args=["acme"])
    assert not StaffNotification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    manons.refresh_from_db()
    assert manons.read_at is None  # all of mine, not everyone's


def test_nobody_reads_or_marks_another_persons_notification(answered, alice, manon, oscar):
    notification = StaffNotification.objects.filter(recipient=alice).latest("id")
    for person in (manon, oscar):
        page = browser(person)
        assert page.get(reverse("desk:notification_open", args=["acme", notification.pk])).status_code == 404
        assert page.post(reverse("desk:notification_read", args=["acme", notification.pk])).status_code == 404
    # Oscar is no staff of Acme: none of its notification pages exist for him.
    assert browser(oscar).get(reverse("desk:notifications", args=["acme"])).status_code == 404
    assert browser(oscar).get(reverse("desk:notification_settings", args=["acme"])).status_code == 404
    # Nor does Alice's notification under Oscar's own organisation.
    assert browser(alice).get(reverse("desk:notification_open", args=["other", notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_read_takes_a_post(answered, alice):
    notification = StaffNotification.objects.filter(recipient=alice).latest("id")
    assert browser(alice).get(reverse("desk:notification_read", args=["acme", notification.pk])).status_code == 405


def test_the_settings_page_stores_which_kinds_come_by_mail(acme, alice):
    page = browser(alice)
    url = reverse("desk:notification_settings", args=["acme"])
    form = page.get(url).content.decode()
    # The defaults: everything by mail but a new complaint in one's team.
    assert 'value="new_complaint"' in form and 'value="new_complaint" checked' not in form
    assert re.search(r'value="consumer_answered"[^>]*checked', form)

    response = page.post(url, {"by_mail": ["deadline_missed", "assigned"], "language": "en"})

    assert response.status_code == 302
    stored = NotificationSettings.objects.get(user=alice)
    assert (stored.by_mail, stored.language) == (["assigned", "deadline_missed"], "en")


def test_a_wrong_setting_changes_nothing(acme, alice):
    response = browser(alice).post(
        reverse("desk:notification_settings", args=["acme"]), {"by_mail": ["everything"], "language": "fr"}
    )

    assert response.status_code == 400
    assert not NotificationSettings.objects.filter(user=alice).exists()


def test_an_admin_who_handles_no_complaints_has_no_bell(acme, ada):
    page = browser(ada)

    settings_page = page.get(reverse("desk:settings", args=["acme"]))
    assert settings_page.status_code == 200
    assert 'id="notification-bell"' not in settings_page.content.decode()
    assert page.get(reverse("desk:notifications", args=["acme"])).status_code == 404
