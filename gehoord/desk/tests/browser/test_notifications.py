"""Notifications in the browser, in Dutch and in English: Carol answers Alice's question on her
tracking page, Alice sees the bell's count go up in the desk's header, opens the notification
and lands on Carol's complaint, and the bell is quiet again."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.desk.tests.browser.support import by_label, label, log_in, seed_organisation, tr
from gehoord.mail.models import StaffNotification
from gehoord.portal.forms import MessageForm, TrackForm

QUESTION = "Kunt u een foto van de beschadigde verpakking sturen?"
ANSWER = "De foto van de verpakking zit erbij; de doos was aan één kant ingedeukt."


def bell(page):
    return page.locator("#notification-bell")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_handler_sees_the_consumers_answer_at_the_bell_and_opens_the_complaint(browse, screenshot, lang):
    vxhome = seed_organisation("vxhome")
    users = get_user_model().objects
    alice, manon = users.get(username="alice@vxhome"), users.get(username="manon@vxhome")
    category = vxhome.categories.order_by("position").first().slug
    complaint = carol_complaint(vxhome, contact_language=lang, category=category)
    actions.assign(complaint, by=Actor.staff(manon, vxhome), handler=alice)
    actions.ask_info(complaint, by=Actor.staff(alice, vxhome), question=QUESTION)
    StaffNotification.objects.filter(recipient=alice).update(read_at=complaint.received_at)  # read before

    # Alice works in the desk: her bell has nothing new.
    desk = browse(lang)
    desk.goto("/desk/vxhome/")
    log_in(desk, lang, "alice@vxhome")
    expect(bell(desk)).to_contain_text(tr(lang, "Notifications"))
    expect(bell(desk).locator(".bell-count")).to_have_count(0)

    # Carol answers the question on her complaint's page.
    carol = browse(lang)
    carol.goto("/volgen/")
    by_label(carol, label(lang, TrackForm, "reference")).fill(complaint.reference)
    by_label(carol, label(lang, TrackForm, "email")).fill("carol@example.nl")
    carol.get_by_role("button", name=tr(lang, "Open my complaint"), exact=True).click()
    question = carol.locator("section.attention", has=carol.locator("#question-heading"))
    by_label(question, label(lang, MessageForm, "body")).fill(ANSWER)
    question.get_by_role("button", name=tr(lang, "Send answer"), exact=True).click()
    expect(carol.get_by_role("status")).to_contain_text(tr(lang, "Thank you. Your answer has been sent."))

    # Alice's next page shows one unread notification, announced to screen readers.
    desk.reload()
    expect(bell(desk).locator(".bell-count")).to_have_text("1")
    expect(bell(desk)).to_contain_text(tr(lang, "%(counter)s unread", counter=1))
    screenshot(desk, "desk-notification-bell")

    bell(desk).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(tr(lang, "Notifications"))
    item = desk.locator("ul.notifications li.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(complaint.reference)
    expect(item).to_contain_text(tr(lang, "The consumer answered"))
    screenshot(desk, "desk-notifications")

    item.get_by_role("link", name=re.compile(re.escape(complaint.reference))).click()
    expect(desk).to_have_url(re.compile(rf"/desk/vxhome/k/{re.escape(complaint.reference)}/$"))
    expect(desk.locator("ol.timeline")).to_contain_text(ANSWER)
    expect(bell(desk).locator(".bell-count")).to_have_count(0)
    screenshot(desk, "desk-notification-opened-complaint")
    assert StaffNotification.objects.get(recipient=alice, kind="consumer_answered").read_at is not None
