"""The desk's everyday tools in a real browser, in Dutch and in English: a reply template inserted
into a message and sent, a bulk action where one complaint is refused, and the keyboard shortcuts
of the queue and the complaint page."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import carol_complaint
from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Message, Status
from gehoord.desk import forms as desk_forms
from gehoord.desk import settings_forms
from gehoord.desk.tests.browser.support import by_label, label, log_in, tr

PASSWORD = "secret-pass-123"
TEMPLATE = {
    "name": "Ontvangst bevestigd",
    "text_nl": "Beste {naam}, we hebben uw klacht {referentie} in behandeling.",
    "text_en": "Dear {name}, we are handling your complaint {reference}.",
}


def plural(lang: str, singular: str, plural: str, total: int) -> str:
    with translation.override(lang):
        return translation.ngettext(singular, plural, total) % {"total": total}


def log_in_at(page, lang: str, path: str, username: str) -> None:
    page.goto(path)
    log_in(page, lang, username, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_manager_writes_a_template_and_sends_it_filled_in(browse, screenshot, acme, manon, lang):
    # The consumer reads in the page's language in this test, so the template's text follows it.
    complaint = carol_complaint(acme, contact_name="Carol de Vries", contact_language=lang)
    page = browse(lang)

    log_in_at(page, lang, "/desk/acme/settings/reply-templates/new/", "manon")
    for name in ("name", "text_nl", "text_en"):
        by_label(page, label(lang, settings_forms.ReplyTemplateForm, name)).fill(TEMPLATE[name])
    page.get_by_role("button", name=tr(lang, "Add the template"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(tr(lang, "Reply template %(name)s added.", name=TEMPLATE["name"]))
    screenshot(page, "desk-settings-reply-templates")

    page.goto(f"/desk/acme/k/{complaint.reference}/")
    page.locator("details#action-message summary").click()
    box = by_label(page, str(label(lang, desk_forms.MessageForm, "body")))
    box.fill("\n\nMet vriendelijke groet, Manon" if lang == "nl" else "\n\nKind regards, Manon")
    box.evaluate("box => box.setSelectionRange(0, 0)")  # the cursor at the start: the text goes there
    page.get_by_label(tr(lang, "Reply template"), exact=True).select_option(label=TEMPLATE["name"])
    page.get_by_role("button", name=tr(lang, "Insert"), exact=True).click()
    filled = (
        f"Beste Carol de Vries, we hebben uw klacht {complaint.reference} in behandeling."
        if lang == "nl"
        else f"Dear Carol de Vries, we are handling your complaint {complaint.reference}."
    )
    expect(box).to_have_value(re.compile("^" + re.escape(filled) + r"\n\n"))
    expect(page.locator("[data-template-status]").first).to_have_text(tr(lang, "The template was inserted."))
    screenshot(page, "desk-complaint-reply-template")

    page.get_by_role("button", name=tr(lang, "Send the message"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(tr(lang, "The message was sent."))
    sent = complaint.messages.get(kind=Message.Kind.STAFF)
    assert sent.body.startswith(filled) and sent.body.endswith("Manon")
    expect(page.locator("ol.timeline")).to_contain_text(filled)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_closing_three_as_spam_where_one_is_refused(browse, screenshot, acme, alice, lang):
    first, second, third = (carol_complaint(acme, contact_name=name) for name in ("Carol", "Daan", "Emma"))
    actions.start(second, by=Actor.staff(alice, acme))  # under investigation: not spam any more
    page = browse(lang)

    log_in_at(page, lang, "/desk/acme/", "alice")
    page.get_by_label(tr(lang, "Choose all complaints on this page"), exact=True).check()
    for complaint in (first, second, third):
        expect(page.locator(f'input[name="complaint"][value="{complaint.reference}"]')).to_be_checked()
    by_label(page, label(lang, desk_forms.BulkActionForm, "text")).fill("Reclame voor zonnepanelen")
    screenshot(page, "desk-queue-bulk-chosen")
    page.get_by_role("button", name=tr(lang, "Close as spam"), exact=True).click()

    summary = page.locator(".bulk-summary")
    expect(summary).to_contain_text(plural(lang, "Done for %(total)s complaint.", "Done for %(total)s complaints.", 2))
    expect(summary).to_contain_text(plural(lang, "Refused for %(total)s complaint.", "Refused for %(total)s complaints.", 1))
    refused_row = page.locator("tr.bulk-refused")
    expect(refused_row).to_have_count(1)
    expect(refused_row.locator("th")).to_have_text(second.reference)
    why = tr(
        lang, "You cannot %(action)s now: the complaint is %(status)s.",
        action=tr(lang, lifecycle.ACTIONS["reject_as_spam"].label), status=tr(lang, Status.INVESTIGATING.label),
    )
    expect(refused_row.locator("td").last).to_have_text(why)
    screenshot(page, "desk-bulk-summary")
    for complaint, status in ((first, Status.REJECTED), (second, Status.INVESTIGATING), (third, Status.REJECTED)):
        complaint.refresh_from_db()
        assert complaint.status == status
        assert complaint.events.filter(kind=EventKind.REJECTED_AS_SPAM, actor=alice).exists() == (status == Status.REJECTED)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_keyboard_moves_through_the_queue_opens_and_replies(browse, screenshot, acme, alice, lang):
    for name in ("Carol", "Daan", "Emma"):
        carol_complaint(acme, contact_name=name)
    page = browse(lang)
    log_in_at(page, lang, "/desk/acme/", "alice")
    rows = page.locator("tr[data-queue-row]")
    references = [text.strip() for text in rows.locator("th a").all_inner_texts()]
    announcer = page.locator("#keyboard-announcer")

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("keyboard-current"))
    expect(rows.nth(1).locator("th a")).to_be_focused()
    expect(announcer).to_contain_text(f"2 / 3: {references[1]}")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("keyboard-current"))
    expect(announcer).to_contain_text(f"1 / 3: {references[0]}")

    # While typing in a field the letters are text, not shortcuts.
    note = by_label(page, label(lang, desk_forms.BulkActionForm, "text"))
    note.click()
    page.keyboard.type("jk?")
    expect(note).to_have_value("jk?")
    expect(page.locator("dialog#keyboard-help")).not_to_be_visible()
    note.fill("")

    page.locator("h1").click()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name=tr(lang, "Keyboard shortcuts"))
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(tr(lang, "Next or previous complaint in the queue"))
    screenshot(page, "desk-keyboard-shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(f"/desk/acme/k/{re.escape(references[1])}/$"))
    page.keyboard.press("r")
    reply = by_label(page, str(label(lang, desk_forms.MessageForm, "body")))
    expect(reply).to_be_focused()
    expect(page.locator("details#action-message")).to_have_attribute("open", "")
    screenshot(page, "desk-keyboard-reply")
