"""The queue: Acme's complaints, the nearest deadline first, filtered, searched, paged and counted.

Acme runs on the `vxhome` procedure: an answer is due by the end of the 14th calendar day after
receipt. "Now" is Monday 16 March 2026, 10:00 in Amsterdam.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints import actions, selection
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint
from gehoord.desk import queries
from gehoord.desk.tests.conftest import assert_no_inline_code
from gehoord.mail.models import OutboundMail
from gehoord.mail.tasks import build_message

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=AMSTERDAM)
QUEUE = reverse("desk:queue", args=["acme"])


def listed(response) -> list[str]:
    """The references in the queue, in the order shown."""
    return re.findall(r'<th scope="row"><a href="/desk/acme/k/([^/]+)/">', response.content.decode())


def count_of(response, label: str) -> int:
    match = re.search(rf">{re.escape(label)} <span class=\"count\">(\d+)</span>", response.content.decode())
    assert match, f"no count for {label}"
    return int(match.group(1))


@pytest.fixture
def filed(acme, alice, manon, as_alice, as_manon, time_machine):
    """Carol's and others' complaints, filed on different days so that their deadlines differ."""

    def file(day: datetime, **values):
        time_machine.move_to(day, tick=False)
        return carol_complaint(acme, **values)

    complaints = {
        "overdue": file(datetime(2026, 2, 20, 9, 0, tzinfo=AMSTERDAM), contact_name="Olga Overdue"),
        "answered": file(datetime(2026, 3, 1, 9, 0, tzinfo=AMSTERDAM), contact_name="Anton Answered"),
        "soon": file(
            datetime(2026, 3, 3, 9, 0, tzinfo=AMSTERDAM), contact_name="Sanne Soon", order_number="ORD-7781",
            product="Boxspring Oslo 160x200",
        ),
        "withdrawn": file(datetime(2026, 3, 5, 9, 0, tzinfo=AMSTERDAM), contact_name="Willem Withdrawn"),
        "later": file(
            datetime(2026, 3, 10, 9, 0, tzinfo=AMSTERDAM), contact_name="Lotte Later", category="product",
            field_values={"serial_number": "SN-1234"},
        ),
        "phoned": file(
            datetime(2026, 3, 16, 9, 0, tzinfo=AMSTERDAM), contact_name="Piet Phone", contact_email="",
            contact_phone="+31 6 1234 5678", channel="phone",
        ),
    }
    # The answer meets the `respond` deadline: no running deadline is left.
    actions.add_message(complaints["answered"], by=as_alice, body="We sturen een nieuwe lat.")
    actions.withdraw(complaints["withdrawn"], by=Actor.consumer(complaints["withdrawn"]), reason="Opgelost")
    actions.assign(complaints["soon"], by=as_manon, handler=alice)
    actions.assign(complaints["later"], by=as_manon, handler=manon)
    time_machine.move_to(NOW, tick=False)
    return {name: complaint.reference for name, complaint in complaints.items()}


def test_the_queue_shows_open_complaints_the_nearest_deadline_first(as_alice_browser, filed):
    response = as_alice_browser.get(QUEUE)

    assert response.status_code == 200
    # Running deadlines first, the most urgent on top; then those without one, oldest first.
    assert listed(response) == [filed[name] for name in ("overdue", "soon", "later", "phoned", "answered")]
    assert_no_inline_code(response.content.decode())


def test_all_statuses_on_request(as_alice_browser, filed):
    response = as_alice_browser.get(QUEUE, {"status": "all"})

    assert listed(response)[-2:] == [filed["answered"], filed["withdrawn"]]
    assert len(listed(response)) == 6


def test_the_queue_marks_overdue_and_nearly_due_complaints_and_names_the_rule(as_alice_browser, filed):
    html = as_alice_browser.get(QUEUE).content.decode()

    rows = dict(zip(re.findall(r'/desk/acme/k/([^/]+)/">', html), re.split(r'<th scope="row">', html)[1:]))
    assert "badge overdue" in rows[filed["overdue"]]
    assert "badge soon" in rows[filed["soon"]]
    assert "badge" not in rows[filed["later"]].split("</td>")[0].split("</th>")[1]
    assert "answer: 14 calendar days from receipt" in rows[filed["later"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "withdrawn"}, ["withdrawn"]),
        ({"due": "overdue"}, ["overdue"]),
        ({"due": "soon"}, ["soon"]),
        ({"category": "product"}, ["later"]),
        ({"channel": "phone"}, ["phoned"]),
        ({"handler": "none"}, ["overdue", "phoned", "answered"]),
        ({"q": "ord-7781"}, ["soon"]),
        ({"q": "oslo"}, ["soon"]),
        ({"q": "piet"}, ["phoned"]),
        ({"q": "6 1234"}, ["phoned"]),
        ({"q": "nobody is called like this"}, []),
    ],
)
def test_filters_and_search(as_alice_browser, filed, query, expected):
    response = as_alice_browser.get(QUEUE, query)

    assert listed(response) == [filed[name] for name in expected]


def test_search_by_reference(as_alice_browser, filed):
    response = as_alice_browser.get(QUEUE, {"q": filed["later"].lower()})

    assert listed(response) == [filed["later"]]


def test_filter_by_handler(as_alice_browser, filed, manon):
    response = as_alice_browser.get(QUEUE, {"handler": manon.pk})

    assert listed(response) == [filed["later"]]


def test_my_complaints_are_those_assigned_to_me(as_alice_browser, filed):
    response = as_alice_browser.get(QUEUE, {"mine": "1"})

    assert listed(response) == [filed["soon"]]
    assert 'aria-current="page">My complaints' in response.content.decode()


def test_filter_by_stage(as_alice_browser, filed, acme, as_alice):
    escalated = carol_complaint(acme, contact_name="Evert Escalated")
    actions.escalate(escalated, by=as_alice, reason="Carol wil de manager spreken")

    response = as_alice_browser.get(QUEUE, {"stage": "2"})

    assert listed(response) == [escalated.reference]


def test_a_filter_value_that_does_not_exist_is_named_and_ignored(as_alice_browser, filed):
    response = as_alice_browser.get(QUEUE, {"status": "lost", "due": "overdue"})

    assert response.status_code == 200
    assert listed(response) == [filed["overdue"]]
    assert 'id="id_status_error"' in response.content.decode()


def test_counts_per_open_status_follow_the_other_filters(as_alice_browser, filed):
    everything = as_alice_browser.get(QUEUE)
    by_phone = as_alice_browser.get(QUEUE, {"channel": "web"})

    assert count_of(everything, "Open") == 5
    assert count_of(everything, "acknowledged") == 5
    assert count_of(by_phone, "Open") == 4


def test_closed_statuses_are_listed_without_a_count(as_alice_browser, filed):
    html = as_alice_browser.get(QUEUE).content.decode()

    assert re.search(r">All</a>", html)
    assert re.search(r">withdrawn</a>", html)
    withdrawn = as_alice_browser.get(QUEUE, {"status": "withdrawn"})
    assert "1 complaint" in withdrawn.content.decode()


def test_the_counts_take_one_query(filed, acme, django_assert_num_queries):
    matching = selection.selected(acme, selection.Selection())

    with django_assert_num_queries(1):
        counts = queries.status_counts(matching)

    assert counts["acknowledged"] == 5
    assert counts["open"] == 5
    assert "withdrawn" not in counts


def test_the_queue_is_paged(as_alice_browser, filed, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)

    first = as_alice_browser.get(QUEUE)
    third = as_alice_browser.get(QUEUE, {"page": "3"})
    beyond = as_alice_browser.get(QUEUE, {"page": "99"})

    assert listed(first) == [filed["overdue"], filed["soon"]]
    assert "Page 1 of 3" in first.content.decode()
    assert 'rel="next"' in first.content.decode()
    assert listed(third) == [filed["answered"]]
    assert listed(beyond) == [filed["answered"]]


def test_a_search_over_every_status_is_paged_without_a_count(as_alice_browser, filed, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)

    first = as_alice_browser.get(QUEUE, {"q": "beschadigd", "status": "all"}).content.decode()
    last = as_alice_browser.get(QUEUE, {"q": "beschadigd", "status": "all", "page": "3"}).content.decode()

    assert "Complaints matching “beschadigd”" in first and "Page 1" in first and "Page 1 of" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert len(re.findall(r'<th scope="row">', last)) == 2  # six complaints, two a page


def test_the_pages_keep_the_filters(as_alice_browser, filed, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 1)

    html = as_alice_browser.get(QUEUE, {"channel": "web", "q": "beschadigd"}).content.decode()

    assert "channel=web&amp;q=beschadigd&amp;page=2" in html


def _queries_for_queue(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, {"status": "all"})
    assert response.status_code == 200
    return len(captured), len(listed(response))


def test_the_number_of_queries_does_not_grow_with_the_page(as_alice_browser, acme, alice, as_manon, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 10)
    for index in range(2):
        product = carol_complaint(acme, category="product", field_values={"serial_number": f"SN-000{index}"})
        actions.assign(product, by=as_manon, handler=alice)
    few, rows = _queries_for_queue(as_alice_browser)
    assert rows == 2

    for index in range(7):
        actions.assign(carol_complaint(acme, contact_name=f"Klant {index}"), by=as_manon, handler=alice)
    many, rows = _queries_for_queue(as_alice_browser)

    assert rows == 9
    assert many == few


def test_htmx_gets_only_the_list(as_alice_browser, filed):
    response = as_alice_browser.get(QUEUE, {"due": "overdue"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert listed(response) == [filed["overdue"]]
    assert "HX-Request" in response["Vary"]


def test_the_filter_form_works_without_javascript_and_is_enhanced_by_htmx(as_alice_browser, filed):
    html = as_alice_browser.get(QUEUE).content.decode()

    form = re.search(r'<form method="get" action="/desk/acme/"[^>]*>', html).group(0)
    assert 'hx-get="/desk/acme/"' in form
    assert 'hx-push-url="true"' in form
    assert '<button type="submit">Filter</button>' in html
    assert '<label for="id_q">' in html


def test_a_complaint_whose_mail_failed_for_good_is_marked_in_the_queue(as_alice_browser, acme):
    """SPEC 7: a permanent mail failure shows on the complaint and in the queue."""
    from gehoord.mail.models import OutboundMail

    failing = carol_complaint(acme)
    fine = carol_complaint(acme, contact_email="daan@example.nl")
    OutboundMail.objects.filter(complaint=failing).update(state=OutboundMail.State.FAILED)

    html = as_alice_browser.get(QUEUE).content.decode()

    rows = {reference: row for row in html.split("<tr") for reference in (failing.reference, fine.reference) if reference in row}
    assert "mail failed" in rows[failing.reference]
    assert "mail failed" not in rows[fine.reference]


@pytest.mark.parametrize("stored", ["REPRO/1", "../../x", "BO-1\r\nBcc: x@example.nl"])
def test_a_stored_reference_with_a_slash_or_a_line_break_breaks_no_page_or_mail(as_alice_browser, acme, alice, stored):
    """Intake refuses such order numbers now; one stored before must not take the queue down (it
    answered 500 for every member of staff) nor make every mail about the complaint fail."""
    complaint = carol_complaint(acme)
    Complaint.objects.filter(pk=complaint.pk).update(reference=stored, order_number=stored)

    queue = as_alice_browser.get(QUEUE)
    assert queue.status_code == 200
    page = as_alice_browser.get(reverse("desk:complaint", args=["acme", stored]))
    assert page.status_code == 200 and "De boxspring kwam beschadigd aan." in page.content.decode()
    response = as_alice_browser.post(
        reverse("desk:message", args=["acme", stored]), {"message-body": "Wij kijken ernaar."}
    )
    assert response.status_code == 302
    mail = OutboundMail.objects.get(complaint=complaint, kind="staff_message")
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert build_message(mail).message()["Subject"]  # Django writes the header without refusing it
