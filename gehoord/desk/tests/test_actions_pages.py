"""Every lifecycle action from the complaint page, end to end: the form posts, the one action in
complaints/actions.py runs, and the page tells what happened. Refused input comes back with the
typed values and each error next to its field (422); a page that went stale changes nothing and
says why.
"""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Event, Message, OutcomeLetter, Resolution
from gehoord.desk.tests.conftest import action_url, page_url, png_bytes
from gehoord.mail.models import OutboundMail
from gehoord.policies.models import Deadline

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LETTER = {
    "actions_taken": "We bekeken de foto's en het rapport van de vervoerder.",
    "conclusions": "De schade is na de levering ontstaan.",
    "changes": "Vervoerders fotograferen voortaan elke levering.",
    "letter_decision": "We vervangen de boxspring niet.",
}


def post(client, complaint, action, follow=False, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(action_url(complaint, action), data, follow=follow)


def fresh(complaint):
    complaint.refresh_from_db()
    return complaint


def error_of(html: str, field_id: str) -> str:
    """The error text shown for a field, checking it is tied to the field for assistive technology."""
    assert f'aria-describedby="{field_id}_error' in html or f'{field_id}_error"' in html
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error"><li>(.*?)</li>', html, re.S)
    assert match, f"no error shown for {field_id}"
    return match.group(1)


@pytest.fixture
def carols(acme):
    return carol_complaint(acme)


@pytest.fixture
def investigating(carols, as_alice):
    return actions.start(carols, by=as_alice)


# --- each action ---------------------------------------------------------------------------------


def test_alice_acknowledges_a_shop_complaint(shop, as_alice_browser):
    complaint = carol_complaint(shop, order_number="ORD-11", category="")

    response = post(as_alice_browser, complaint, "acknowledge", follow=True)

    assert response.redirect_chain == [(page_url(complaint), 302)]
    assert "The acknowledgement was sent." in response.content.decode()
    assert fresh(complaint).status == "acknowledged"
    assert Event.objects.filter(complaint=complaint, kind="acknowledged", actor_label="Alice").exists()


def test_manon_assigns_alice(carols, as_manon_browser, alice):
    response = post(as_manon_browser, carols, "assign", handler=alice.pk)

    assert response.status_code == 302
    assert fresh(carols).handler == alice


def test_alice_takes_the_complaint_but_cannot_hand_it_to_manon(carols, as_alice_browser, alice, manon):
    refused = post(as_alice_browser, carols, "assign", handler=manon.pk)
    assert refused.status_code == 422
    assert "Select a valid choice" in error_of(refused.content.decode(), "id_assign-handler")
    assert fresh(carols).handler is None

    post(as_alice_browser, carols, "assign", handler=alice.pk)

    assert fresh(carols).handler == alice


def test_alice_starts_the_investigation(carols, as_alice_browser):
    post(as_alice_browser, carols, "start")

    assert fresh(carols).status == "investigating"


def test_alice_asks_carol_for_information_and_records_her_answer(investigating, as_alice_browser):
    post(as_alice_browser, investigating, "ask_info", question="Wat is uw ordernummer?")

    assert fresh(investigating).status == "awaiting_consumer"
    question = investigating.messages.get()
    assert (question.kind, question.body) == (Message.Kind.STAFF, "Wat is uw ordernummer?")

    post(as_alice_browser, investigating, "info_received", answer="Carol belde: order 1234.")

    assert fresh(investigating).status == "investigating"
    answer = investigating.messages.latest("id")
    assert (answer.kind, answer.body) == (Message.Kind.NOTE, "Carol belde: order 1234.")


def test_alice_proposes_a_refund_with_an_apology(investigating, as_alice_browser):
    response = as_alice_browser.post(
        action_url(investigating, "propose_resolution"),
        {
            "propose_resolution-kinds": ["refund", "apology"],
            "propose_resolution-refund_amount": "49.95",
            "propose_resolution-text": "Onze excuses; we storten € 49,95 terug.",
        },
    )

    assert response.status_code == 302
    assert fresh(investigating).status == "resolution_proposed"
    resolution = Resolution.objects.get(complaint=investigating)
    assert resolution.kinds == ["refund", "apology"]
    assert resolution.refund_amount == Decimal("49.95")
    assert resolution.compensation_amount is None


def test_a_refund_without_an_amount_comes_back_with_the_typed_text(investigating, as_alice_browser):
    response = as_alice_browser.post(
        action_url(investigating, "propose_resolution"),
        {"propose_resolution-kinds": ["refund"], "propose_resolution-text": "We storten het terug."},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert error_of(html, "id_propose_resolution-refund_amount") == "A refund needs an amount."
    assert "We storten het terug.</textarea>" in html
    assert re.search(r'value="refund"[^>]*checked', html)
    assert '<details class="action" id="action-propose_resolution" open>' in html
    assert 'href="#action-propose_resolution"' in html  # the summary at the top leads to the form
    assert not Resolution.objects.exists()
    assert fresh(investigating).status == "investigating"


def test_alice_escalates_to_the_complaint_manager(investigating, as_alice_browser):
    post(as_alice_browser, investigating, "escalate", reason="Carol vraagt om de manager.")

    complaint = fresh(investigating)
    assert (complaint.status, complaint.stage) == ("escalated", 2)
    assert Event.objects.get(complaint=complaint, kind="escalated").data["reason"] == "Carol vraagt om de manager."


def test_manon_decides_against_carol_with_an_outcome_letter(investigating, as_alice, as_manon_browser):
    actions.escalate(investigating, by=as_alice)

    post(as_manon_browser, investigating, "decide", decision="not_upheld", **LETTER)

    complaint = fresh(investigating)
    assert (complaint.status, complaint.outcome) == ("closed", "not_upheld")
    letter = OutcomeLetter.objects.get(complaint=complaint)
    assert letter.decision == "We vervangen de boxspring niet."
    assert letter.changes == "Vervoerders fotograferen voortaan elke levering."


def test_a_decision_against_carol_without_a_letter_names_each_missing_part(investigating, as_alice, as_manon_browser):
    actions.escalate(investigating, by=as_alice)

    response = post(as_manon_browser, investigating, "decide", decision="not_upheld", conclusions="Geen fout.")

    html = response.content.decode()
    assert response.status_code == 422
    assert error_of(html, "id_decide-actions_taken") == "This field is required."
    assert "Geen fout.</textarea>" in html
    assert fresh(investigating).status == "escalated"
    assert not OutcomeLetter.objects.exists()


def test_alice_closes_with_an_outcome_letter(investigating, as_alice_browser):
    post(as_alice_browser, investigating, "close", outcome="partially_upheld", **LETTER)

    complaint = fresh(investigating)
    assert (complaint.status, complaint.outcome) == ("closed", "partially_upheld")
    assert OutcomeLetter.objects.filter(complaint=complaint).exists()


def test_a_resolved_complaint_is_closed_without_a_letter(investigating, as_alice, as_alice_browser):
    actions.propose_resolution(investigating, by=as_alice, kinds=["repair"], text="We repareren het.")
    actions.accept(investigating, by=Actor.consumer(investigating))
    page = as_alice_browser.get(page_url(investigating)).content.decode()
    close_form = re.search(r'id="action-close".*?</details>', page, re.S).group(0)
    assert "textarea" not in close_form

    post(as_alice_browser, investigating, "close")

    assert fresh(investigating).status == "closed"
    assert not OutcomeLetter.objects.exists()


@pytest.mark.parametrize(
    "body, other, expected",
    [("WebwinkelKeur", "", "WebwinkelKeur"), ("", "Geschillencommissie Wonen", "Geschillencommissie Wonen")],
)
def test_a_closed_complaint_is_referred_to_an_external_body(
    investigating, as_alice, as_alice_browser, body, other, expected
):
    actions.close(investigating, by=as_alice, outcome="not_upheld", letter=actions.LetterInput("a", "b", "c"))

    post(as_alice_browser, investigating, "refer", body=body, other=other)

    complaint = fresh(investigating)
    assert (complaint.status, complaint.referred_to) == ("referred", expected)


def test_a_referral_needs_a_body(investigating, as_alice, as_alice_browser):
    actions.close(investigating, by=as_alice, outcome="not_upheld", letter=actions.LetterInput("a", "b", "c"))

    response = post(as_alice_browser, investigating, "refer", body="", other="")

    assert response.status_code == 422
    assert error_of(response.content.decode(), "id_refer-body") == "Choose the body, or name another one."
    assert fresh(investigating).status == "closed"


@pytest.fixture
def filed_on_2_march(acme, time_machine):
    """Filed Monday 2 March 2026 10:00 in Amsterdam: the answer is due 16 March 23:59:59."""
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    complaint = carol_complaint(acme)
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=AMSTERDAM), tick=False)
    return complaint


def test_manon_extends_the_answer_deadline_in_amsterdam_time(filed_on_2_march, as_manon_browser):
    response = post(
        as_manon_browser, filed_on_2_march, "extend_deadline",
        deadline="respond", due_at="2026-03-30T17:00", reason="We wachten op de leverancier.",
    )

    assert response.status_code == 302
    deadline = Deadline.objects.get(complaint=filed_on_2_march, kind="respond")
    # After the change to summer time: 17:00 in Amsterdam is 15:00 UTC.
    assert deadline.due_at == datetime(2026, 3, 30, 17, 0, tzinfo=AMSTERDAM)
    assert deadline.original_due_at == datetime(2026, 3, 16, 23, 59, 59, tzinfo=AMSTERDAM)
    assert deadline.extension_reason == "We wachten op de leverancier."
    assert fresh(filed_on_2_march).next_deadline_at == deadline.due_at
    assert OutboundMail.objects.filter(complaint=filed_on_2_march, kind__contains="extension").exists()


def test_an_extension_must_be_later_than_the_current_date(filed_on_2_march, as_manon_browser):
    response = post(
        as_manon_browser, filed_on_2_march, "extend_deadline",
        deadline="respond", due_at="2026-03-12T17:00", reason="Even geduld.",
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "later than now and than the current due date" in error_of(html, "id_extend_deadline-due_at")
    assert 'value="2026-03-12T17:00"' in html
    assert "Even geduld.</textarea>" in html
    assert not Deadline.objects.get(complaint=filed_on_2_march, kind="respond").extension_reason


def test_a_time_skipped_by_the_change_to_summer_time_is_refused(filed_on_2_march, as_manon_browser):
    response = post(
        as_manon_browser, filed_on_2_march, "extend_deadline",
        deadline="respond", due_at="2026-03-29T02:30", reason="Even geduld.",
    )

    assert response.status_code == 422
    assert "Europe/Amsterdam" in error_of(response.content.decode(), "id_extend_deadline-due_at")


def test_alice_withdraws_the_complaint_for_carol(carols, as_alice_browser):
    post(as_alice_browser, carols, "withdraw", reason="Carol belde: het is opgelost.")

    assert fresh(carols).status == "withdrawn"


def test_alice_rejects_spam_with_a_reason(carols, as_alice_browser):
    refused = post(as_alice_browser, carols, "reject_as_spam", reason="")
    assert refused.status_code == 422
    assert fresh(carols).status == "acknowledged"

    post(as_alice_browser, carols, "reject_as_spam", reason="Reclame voor zonnepanelen.")

    complaint = fresh(carols)
    assert (complaint.status, complaint.rejection_reason) == ("rejected", "Reclame voor zonnepanelen.")


# --- messages and notes --------------------------------------------------------------------------


def test_alice_messages_carol_with_a_photo(carols, as_alice_browser):
    response = as_alice_browser.post(
        page_url(carols, "desk:message"),
        {
            "kind": "message",
            "message-body": "Bedoelt u deze lat?",
            "message-attachments": [_file("lat.png", png_bytes())],
        },
        follow=True,
    )

    assert "The message was sent." in response.content.decode()
    message = carols.messages.get()
    assert (message.kind, message.body) == (Message.Kind.STAFF, "Bedoelt u deze lat?")
    assert [a.original_name for a in message.attachments.all()] == ["lat.png"]
    assert OutboundMail.objects.filter(complaint=carols, to_address="carol@example.nl").exists()


def test_alice_writes_an_internal_note(carols, as_alice_browser):
    as_alice_browser.post(page_url(carols, "desk:message"), {"kind": "note", "note-body": "Klant is boos."})

    note = carols.messages.get()
    assert (note.kind, note.body) == (Message.Kind.NOTE, "Klant is boos.")
    event = Event.objects.get(complaint=carols, kind="note_added")
    assert not event.consumer_visible


def test_an_empty_message_is_refused_at_its_field(carols, as_alice_browser):
    response = as_alice_browser.post(page_url(carols, "desk:message"), {"kind": "note", "note-body": "  "})

    assert response.status_code == 422
    assert error_of(response.content.decode(), "id_note-body") == "Write something or add a file."
    assert not carols.messages.exists()


def test_a_refused_file_says_why_and_keeps_the_text(carols, as_alice_browser):
    response = as_alice_browser.post(
        page_url(carols, "desk:message"),
        {
            "kind": "message",
            "message-body": "Zie bijlage",
            "message-attachments": [_file("virus.exe", b"MZ\x90\x00binary")],
        },
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "virus.exe: this type of file is not accepted" in error_of(html, "id_message-attachments")
    assert "Zie bijlage</textarea>" in html
    assert not carols.messages.exists()


def _file(name, content):
    return SimpleUploadedFile(name, content)


# --- stale pages and the wrong person ------------------------------------------------------------


def test_a_stale_page_says_what_happened_and_changes_nothing(carols, as_alice, as_alice_browser):
    page = as_alice_browser.get(page_url(carols)).content.decode()
    assert 'id="action-start"' in page
    actions.start(carols, by=as_alice)  # someone else was quicker
    changes = Event.objects.filter(complaint=carols).exclude(kind="personal_data_viewed")
    before = changes.count()

    response = post(as_alice_browser, carols, "start", follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(page_url(carols), 302)]
    assert "Nothing was changed" in html and "investigating" in html
    assert 'class="message message-error"' in html
    assert fresh(carols).status == "investigating"
    assert changes.count() == before


def test_a_stale_form_with_bad_input_gets_the_stale_message_not_the_form(carols, as_alice, as_alice_browser):
    actions.withdraw(carols, by=as_alice)

    response = post(as_alice_browser, carols, "reject_as_spam", follow=True, reason="")

    assert response.redirect_chain == [(page_url(carols), 302)]
    assert "Nothing was changed" in response.content.decode()
    assert fresh(carols).status == "withdrawn"


def test_alice_may_not_extend_a_deadline(carols, as_alice_browser):
    due = Deadline.objects.get(complaint=carols, kind="respond").due_at

    response = post(
        as_alice_browser, carols, "extend_deadline", follow=True,
        deadline="respond", due_at="2099-01-01T12:00", reason="Graag meer tijd.",
    )

    html = response.content.decode()
    assert "Nothing was changed: You may not" in html
    assert Deadline.objects.get(complaint=carols, kind="respond").due_at == due


def test_bert_cannot_act_on_a_first_line_complaint(carols, as_bert_browser):
    response = post(as_bert_browser, carols, "withdraw", follow=True, reason="")

    assert "Nothing was changed" in response.content.decode()
    assert fresh(carols).status == "acknowledged"
