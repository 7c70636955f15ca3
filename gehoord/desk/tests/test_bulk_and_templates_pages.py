"""The queue's bulk actions and the complaint page's reply templates, through the desk's pages:
a mix of allowed and refused complaints gives a summary per reference and the right timeline
events; bad input changes nothing; another organisation's staff get 404."""

import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Message, Status
from gehoord.desk.tests.conftest import assert_no_inline_code, browser, page_url
from gehoord.organisations.models import ReplyTemplate


def queue_url(organisation) -> str:
    return reverse("desk:queue", args=[organisation.slug])


def bulk_url(organisation) -> str:
    return reverse("desk:bulk", args=[organisation.slug])


def summary_rows(page: str) -> list[tuple[str, str, str]]:
    """The summary table as (reference, result, reason) rows."""
    rows = re.findall(
        r'<tr class="bulk-(?:done|refused)">\s*<th scope="row">(?:<a [^>]*>)?(.*?)(?:</a>)?</th>\s*<td>.*?>(.*?)</span></td>\s*<td>(.*?)</td>',
        page,
        re.S,
    )
    return [tuple(html.unescape(cell.strip()) for cell in row) for row in rows]


@pytest.fixture
def three(acme, as_alice):
    first, second, third = (carol_complaint(acme, contact_name=name) for name in ("Carol", "Daan", "Emma"))
    actions.start(second, by=as_alice)
    return first, second, third


def test_the_queue_offers_a_checkbox_per_row_and_the_bulk_buttons(acme, alice, three):
    page = browser(alice).get(queue_url(acme), {"order": "received"}).content.decode()

    assert f'<form id="bulk-form" method="post" action="{bulk_url(acme)}">' in page
    for complaint in three:
        assert f'name="complaint" value="{complaint.reference}"' in page
    for action in ("assign", "note", "acknowledge", "reject_as_spam"):
        assert f'name="action" value="{action}"' in page
    assert 'name="back" value="order=received"' in page  # back to the same filters afterwards
    assert 'aria-keyshortcuts="?"' in page and 'aria-live="polite"' in page
    assert_no_inline_code(page)


def test_closing_as_spam_reports_each_reference_and_leaves_the_refused_one(acme, alice, three):
    first, second, third = three

    response = browser(alice).post(
        bulk_url(acme),
        {"complaint": [c.reference for c in three], "action": "reject_as_spam", "text": "Reclame", "back": "status=all"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Done for 2 complaints." in page and "Refused for 1 complaint." in page
    assert summary_rows(page) == [
        (first.reference, "done", "—"),
        (second.reference, "refused", "You cannot reject as spam now: the complaint is investigating."),
        (third.reference, "done", "—"),
    ]
    assert f'href="{queue_url(acme)}?status=all"' in page
    assert_no_inline_code(page)
    for complaint, status in ((first, Status.REJECTED), (second, Status.INVESTIGATING), (third, Status.REJECTED)):
        complaint.refresh_from_db()
        assert complaint.status == status
        assert complaint.events.filter(kind=EventKind.REJECTED_AS_SPAM).exists() == (status == Status.REJECTED)


def test_a_note_for_all_lands_on_each_timeline(acme, alice, three):
    browser(alice).post(bulk_url(acme), {"complaint": [c.reference for c in three], "action": "note", "text": "Zie #412"})

    for complaint in three:
        assert list(complaint.messages.values_list("kind", "body")) == [(Message.Kind.NOTE, "Zie #412")]
        assert complaint.events.filter(kind=EventKind.NOTE_ADDED, actor=alice).count() == 1


def test_a_manager_assigns_and_an_agent_is_told_why_not(acme, alice, manon, three):
    refused = browser(alice).post(
        bulk_url(acme), {"complaint": [three[0].reference], "action": "assign", "handler": str(manon.pk)}
    )
    assert summary_rows(refused.content.decode()) == [
        (three[0].reference, "refused", "Only a complaint manager assigns complaints to others.")
    ]

    browser(manon).post(
        bulk_url(acme), {"complaint": [c.reference for c in three], "action": "assign", "handler": str(alice.pk)}
    )
    for complaint in three:
        complaint.refresh_from_db()
        assert complaint.handler == alice
        assert complaint.events.filter(kind=EventKind.ASSIGNED, actor=manon).exists()


@pytest.mark.parametrize(
    "data, problem",
    [
        ({"action": "note", "text": "x"}, "Choose at least one complaint."),
        ({"action": "assign"}, "Choose whom to assign the complaints to."),
        ({"action": "note", "text": "  "}, "Write the note."),
        ({"action": "reject_as_spam"}, "Say why the complaints are spam."),
        ({"action": "withdraw", "text": "x"}, "Select a valid choice. withdraw is not one of the available choices."),
        ({"action": "assign", "handler": "999999"}, "Select a valid choice. 999999 is not one of the available choices."),
    ],
)
def test_bad_input_changes_nothing_and_says_why(acme, manon, three, data, problem):
    references = [] if "Choose at least" in problem else [c.reference for c in three]

    response = browser(manon).post(bulk_url(acme), {"complaint": references, **data}, follow=True)

    assert response.redirect_chain[-1][0] == queue_url(acme)
    assert f"Nothing was changed: {problem}" in html.unescape(response.content.decode())
    for complaint in three:
        assert not complaint.messages.exists()
        assert not complaint.events.filter(kind__in=[EventKind.ASSIGNED, EventKind.REJECTED_AS_SPAM]).exists()


def test_more_than_the_limit_is_refused_whole(acme, alice, three):
    references = [f"KL-{n}" for n in range(100)] + [three[0].reference]

    response = browser(alice).post(bulk_url(acme), {"complaint": references, "action": "note", "text": "x"}, follow=True)

    assert "Nothing was changed: Choose at most 100 complaints at a time." in html.unescape(response.content.decode())
    assert not three[0].messages.exists()


def test_an_outsider_gets_404_and_cannot_touch_the_complaints(acme, oscar, three):
    response = browser(oscar).post(
        bulk_url(acme), {"complaint": [c.reference for c in three], "action": "note", "text": "Hallo"}
    )

    assert response.status_code == 404
    assert not any(complaint.messages.exists() for complaint in three)


def test_another_organisations_references_are_refused_as_unknown(acme, other, oscar, alice):
    theirs = carol_complaint(other)

    response = browser(alice).post(bulk_url(acme), {"complaint": [theirs.reference], "action": "note", "text": "x"})

    page = response.content.decode()
    assert summary_rows(page) == [(theirs.reference, "refused", "There is no such complaint.")]
    assert f"/k/{theirs.reference}/" not in page  # no link to a page that would not be found
    assert not theirs.messages.exists()


# --- reply templates on the complaint page ---------------------------------------------------------


@pytest.fixture
def received(acme):
    return ReplyTemplate.objects.create(
        organisation=acme, name="Ontvangen", text_nl="Beste {naam}, uw klacht {referentie} is in behandeling.",
        text_en="Dear {name}, complaint {reference} is being handled.",
    )


def text_url(complaint, template) -> str:
    return page_url(complaint, "desk:reply_template_text", template.pk)


def test_the_complaint_page_offers_the_templates_for_the_reply(acme, alice, received):
    complaint = carol_complaint(acme)

    page = browser(alice).get(page_url(complaint)).content.decode()

    assert 'data-reply-templates data-target="id_message-body"' in page
    assert f'<option value="{text_url(complaint, received)}">Ontvangen</option>' in page
    assert 'data-target="id_note-body"' not in page  # a note is not a reply
    assert 'aria-keyshortcuts="r"' in page
    assert_no_inline_code(page)


def test_the_question_form_offers_them_too(acme, alice, received):
    complaint = carol_complaint(acme)

    form = browser(alice).get(page_url(complaint, "desk:action", "ask_info"), headers={"HX-Request": "true"})

    assert 'data-reply-templates data-target="id_ask_info-question"' in form.content.decode()


def test_without_templates_there_is_no_picker(acme, alice):
    page = browser(alice).get(page_url(carol_complaint(acme))).content.decode()

    assert "data-reply-templates" not in page


def test_the_text_comes_filled_in_the_consumers_language(acme, alice, received):
    dutch, english = carol_complaint(acme), carol_complaint(acme, contact_name="Emma Brown", contact_language="en")

    answers = [json.loads(browser(alice).get(text_url(c, received)).content) for c in (dutch, english)]

    assert answers == [
        {"name": "Ontvangen", "text": f"Beste Carol de Vries, uw klacht {dutch.reference} is in behandeling."},
        {"name": "Ontvangen", "text": f"Dear Emma Brown, complaint {english.reference} is being handled."},
    ]


def test_another_organisations_template_or_staff_get_404(acme, other, alice, oscar, received):
    complaint = carol_complaint(acme)
    theirs = ReplyTemplate.objects.create(organisation=other, name="Theirs", text_en="Dear {name}.")

    assert browser(alice).get(text_url(complaint, theirs)).status_code == 404
    assert browser(oscar).get(text_url(complaint, received)).status_code == 404


def test_the_picker_costs_one_query_however_many_templates(acme, alice, received):
    complaint = carol_complaint(acme)
    client = browser(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(complaint)).status_code == 200
        return len(captured)

    one = queries()
    for n in range(5):
        ReplyTemplate.objects.create(organisation=acme, name=f"Sjabloon {n}", text_nl="Beste {naam}.")
    assert queries() == one
