"""A complaint's whole journey through three browsers: Carol on the consumer pages, the staff of
SolarWave (seed 003) on the desk.

Carol files; agent Alice acknowledges (seed 003: a person confirms receipt) and asks for
information; Carol answers from the tracking page; Alice proposes a refund; Carol rejects it and
asks for escalation; manager Manon decides with an outcome letter, which closes the complaint.
Carol reads in Dutch, Alice works in English, Manon in Dutch.
"""

import re
from decimal import Decimal

from django.utils import translation
from playwright.sync_api import expect

from gehoord.complaints import events
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Outcome, Resolution, Stage, Status
from gehoord.desk import forms as desk_forms
from gehoord.desk.tests.browser.support import (
    by_label,
    in_order,
    label,
    log_in,
    number,
    open_action,
    photo,
    seed_organisation,
    timeline_labels,
    tr,
)
from gehoord.portal import presentation
from gehoord.portal.forms import ComplaintForm, MessageForm, ReasonForm, ResponseForm, TrackForm

QUESTION = "Welke foutcode toont het display, en kunt u een foto van het typeplaatje sturen?"
ANSWER = "Het display toont fout 302. De foto van het typeplaatje zit erbij."
PROPOSAL = "We vergoeden de kosten van het gemiste bezoek en sturen een nieuwe monteur."
REJECTION = "Ik wil dat de omvormer wordt vervangen, niet alleen een vergoeding."
ESCALATION = "De omvormer valt nog steeds elke dag uit."
LETTER = {
    "actions_taken": "We hebben de storingslogboeken van de omvormer en het bezoekrapport nagekeken.",
    "conclusions": "De storing komt door een defecte netkoppeling; de omvormer zelf is in orde.",
    "changes": "Monteurs bellen voortaan een dag vooraf om het bezoek te bevestigen.",
    "letter_decision": "We vervangen de netkoppeling kosteloos; de omvormer vervangen we niet.",
}
# What happened, as both timelines name it, in this order.
JOURNEY = [
    "received", "acknowledged", "information_requested", "information_received", "resolution_proposed",
    "resolution_rejected", "escalated", "decided",
]


def in_dutch(label, *args, **kwargs) -> str:
    """An event's label as the Dutch pages show it (complaints/events.py keeps the one label table)."""
    with translation.override("nl"):
        return label(*args, **kwargs)


def file_as_carol(carol) -> str:
    """Carol files a service complaint about her inverter; returns the reference she is given."""
    carol.goto("/o/inverter/klacht/")
    with carol.expect_response(lambda response: "/klacht/velden/" in response.url):
        by_label(carol, label("nl", ComplaintForm, "category")).select_option("service")
    by_label(carol, "Ticketnummer").fill("T-104233")
    by_label(carol, "Serienummer").fill("SW36-2201-0042")
    by_label(carol, label("nl", ComplaintForm, "description")).fill(
        "De monteur is niet gekomen en de omvormer valt elke middag uit."
    )
    by_label(carol, label("nl", ComplaintForm, "attachments")).set_input_files(photo())
    by_label(carol, label("nl", ComplaintForm, "contact_name")).fill("Carol de Vries")
    by_label(carol, label("nl", ComplaintForm, "contact_email")).fill("carol@example.nl")
    carol.get_by_role("button", name=tr("nl", "Send complaint"), exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr("nl", "Thank you. We have received your complaint."))
    return carol.locator("strong.reference").inner_text()


def desk_shows_status(page, lang: str, status: Status) -> None:
    expect(page.locator("h1 .badge")).to_have_text(tr(lang, status.label))


def consumer_sees_status(page, lang: str, status: Status) -> None:
    expect(page.locator(".status-line .badge").first).to_have_text(tr(lang, presentation.STATUS_FOR_CONSUMER[status]))


def page_says(page, text: str) -> None:
    """The message a page shows after an action (POST, redirect, then this message)."""
    expect(page.get_by_role("status")).to_contain_text(text)


def do(page, lang: str, form_class, fields: dict[str, str] | None = None) -> None:
    """Unfold one of the desk's actions, fill its fields, send it, and see it done."""
    action = open_action(page, form_class.action)
    for name, value in (fields or {}).items():
        by_label(action, label(lang, form_class, name)).fill(value)
    action.get_by_role("button", name=tr(lang, form_class.submit), exact=True).click()
    page_says(page, tr(lang, form_class.done))


def test_a_complaint_from_filing_to_the_managers_decision(browse, screenshot):
    inverter = seed_organisation("inverter")

    # Carol files her complaint; seed 003 has a person confirm receipt, so it waits as "received".
    reference = file_as_carol(browse("nl"))
    complaint = Complaint.objects.get(organisation=inverter, reference=reference)
    assert complaint.status == Status.RECEIVED

    # Alice logs in on the login page the desk sends her to, finds it in the queue and opens it.
    alice = browse("en")
    alice.goto("/desk/inverter/")
    expect(alice).to_have_url(re.compile(r"/accounts/login/\?next=/desk/inverter/$"))
    screenshot(alice, "desk-login")
    log_in(alice, "en", "alice@inverter")
    expect(alice.get_by_role("heading", level=1)).to_have_text(tr("en", "Complaints"))
    screenshot(alice, "desk-queue")
    alice.get_by_role("link", name=reference, exact=True).click()
    desk_shows_status(alice, "en", Status.RECEIVED)
    expect(alice.locator(".complaint-main")).to_contain_text("SW36-2201-0042")
    expect(alice.get_by_role("link", name="schade.png").first).to_be_visible()
    screenshot(alice, "desk-complaint-received")

    # She acknowledges it and asks Carol for information.
    do(alice, "en", desk_forms.AcknowledgeForm)
    desk_shows_status(alice, "en", Status.ACKNOWLEDGED)
    do(alice, "en", desk_forms.AskInfoForm, {"question": QUESTION})
    desk_shows_status(alice, "en", Status.AWAITING_CONSUMER)

    # Carol, in another browser, opens her complaint with its reference and her e-mail address.
    carol = browse("nl")
    carol.goto("/volgen/")
    by_label(carol, label("nl", TrackForm, "reference")).fill(reference)
    by_label(carol, label("nl", TrackForm, "email")).fill("carol@example.nl")
    screenshot(carol, "portal-track")
    carol.get_by_role("button", name=tr("nl", "Open my complaint"), exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr("nl", "Complaint %(reference)s", reference=reference))
    consumer_sees_status(carol, "nl", Status.AWAITING_CONSUMER)
    question = carol.locator("section.attention", has=carol.locator("#question-heading"))
    expect(question).to_contain_text(QUESTION)
    screenshot(carol, "portal-tracking-question")

    # She answers, with a photo of the type plate.
    by_label(question, label("nl", MessageForm, "body")).fill(ANSWER)
    by_label(question, label("nl", MessageForm, "files")).set_input_files(photo("typeplaatje.png"))
    question.get_by_role("button", name=tr("nl", "Send answer"), exact=True).click()
    page_says(carol, tr("nl", "Thank you. Your answer has been sent."))
    consumer_sees_status(carol, "nl", Status.INVESTIGATING)

    # Alice sees the answer and its photo, and proposes a refund.
    alice.reload()
    desk_shows_status(alice, "en", Status.INVESTIGATING)
    answer = alice.locator("ol.timeline > li.message-consumer")
    expect(answer).to_contain_text(ANSWER)
    expect(answer.get_by_role("link", name="typeplaatje.png")).to_be_visible()
    propose = open_action(alice, "propose_resolution")
    propose.get_by_label(tr("en", Resolution.Kind.REFUND.label), exact=True).check()
    by_label(propose, tr("en", "Refund amount (%(currency)s)", currency="EUR")).fill("149.50")
    by_label(propose, label("en", desk_forms.ProposeResolutionForm, "text")).fill(PROPOSAL)
    screenshot(alice, "desk-complaint-proposing")
    propose.get_by_role("button", name=tr("en", desk_forms.ProposeResolutionForm.submit), exact=True).click()
    page_says(alice, tr("en", desk_forms.ProposeResolutionForm.done))
    desk_shows_status(alice, "en", Status.RESOLUTION_PROPOSED)

    # Carol reads the proposal, turns it down and asks for escalation.
    carol.reload()
    consumer_sees_status(carol, "nl", Status.RESOLUTION_PROPOSED)
    proposal = carol.locator("section.attention", has=carol.locator("#proposal-heading"))
    expect(proposal).to_contain_text(PROPOSAL)
    expect(proposal).to_contain_text(f"{tr('nl', 'Refund')}: {number('nl', Decimal('149.50'))} EUR")
    screenshot(carol, "portal-tracking-proposal")
    reject = carol.locator("form#action-reject")
    by_label(reject, label("nl", ResponseForm, "comment")).fill(REJECTION)
    reject.get_by_role("button", name=tr("nl", "Reject this proposal"), exact=True).click()
    page_says(carol, tr("nl", "You rejected the proposed resolution."))
    consumer_sees_status(carol, "nl", Status.INVESTIGATING)
    escalation = carol.locator("details.action", has=carol.locator("form#action-escalate"))
    escalation.locator("summary").click()
    by_label(escalation, label("nl", ReasonForm, "reason")).fill(ESCALATION)
    escalation.get_by_role("button", name=tr("nl", "Ask for escalation"), exact=True).click()
    page_says(carol, tr("nl", "Your request for escalation has been received."))
    consumer_sees_status(carol, "nl", Status.ESCALATED)

    # Manon, the complaint manager, handles the escalation stage; she follows a link to it.
    manon = browse("nl")
    manon.goto(f"/desk/inverter/k/{reference}/")
    log_in(manon, "nl", "manon@inverter")
    desk_shows_status(manon, "nl", Status.ESCALATED)
    expect(manon.locator(".summary-line")).to_contain_text(tr("nl", Stage.MANAGER.label))
    rejected_entry = manon.locator("ol.timeline > li").filter(
        has=manon.get_by_text(in_dutch(events.label, EventKind.RESOLUTION_REJECTED), exact=True)
    )
    expect(rejected_entry).to_contain_text(REJECTION)
    screenshot(manon, "desk-complaint-escalated")

    # She decides, with the outcome letter; the decision closes the complaint.
    decide = open_action(manon, "decide")
    by_label(decide, label("nl", desk_forms.DecideForm, "decision")).select_option(Outcome.PARTIALLY_UPHELD)
    for name, text in LETTER.items():
        by_label(decide, label("nl", desk_forms.DecideForm, name)).fill(text)
    decide.get_by_role("button", name=tr("nl", desk_forms.DecideForm.submit), exact=True).click()
    page_says(manon, tr("nl", desk_forms.DecideForm.done))
    desk_shows_status(manon, "nl", Status.CLOSED)
    screenshot(manon, "desk-complaint-decided")

    # The desk's timeline tells the whole story, the letter included.
    desk_timeline = timeline_labels(manon)
    assert in_order([in_dutch(events.label, kind) for kind in JOURNEY], desk_timeline), desk_timeline
    for text in LETTER.values():
        expect(manon.locator("ol.timeline .letter")).to_contain_text(text)
    manon.goto("/desk/inverter/?status=all")
    expect(manon.get_by_role("row", name=re.compile(re.escape(reference)))).to_contain_text(tr("nl", Status.CLOSED.label))
    screenshot(manon, "desk-queue")

    # Carol sees her complaint closed, the decision and the outcome letter.
    carol.reload()
    consumer_sees_status(carol, "nl", Status.CLOSED)
    letter = carol.locator("section.card", has=carol.get_by_role("heading", name=tr("nl", "Outcome letter")))
    for text in LETTER.values():
        expect(letter).to_contain_text(text)
    consumer_timeline = timeline_labels(carol)
    assert in_order([in_dutch(events.label, kind, for_consumer=True) for kind in JOURNEY], consumer_timeline), consumer_timeline
    expect(carol.locator("ol.timeline")).to_contain_text(
        tr("nl", "Decision: %(decision)s.", decision=tr("nl", Outcome.PARTIALLY_UPHELD.label))
    )
    screenshot(carol, "portal-tracking-decided")

    # And so it is stored: closed at the escalation stage, partially upheld, with Manon's letter.
    complaint.refresh_from_db()
    assert (complaint.status, complaint.stage, complaint.outcome) == (
        Status.CLOSED, Stage.MANAGER, Outcome.PARTIALLY_UPHELD,
    )
    assert complaint.acknowledged_at is not None and complaint.closed_at is not None
    (rejected,) = complaint.resolutions.all()
    assert (rejected.kinds, rejected.refund_amount, rejected.response) == (["refund"], Decimal("149.50"), "rejected")
    assert rejected.response_comment == REJECTION
    (written,) = complaint.outcome_letters.all()
    assert (written.actions_taken, written.decision, written.written_by.username) == (
        LETTER["actions_taken"], LETTER["letter_decision"], "manon@inverter",
    )
    assert complaint.messages.filter(kind="consumer", body=ANSWER).exists()
    assert sorted(complaint.attachments.values_list("original_name", flat=True)) == ["schade.png", "typeplaatje.png"]
