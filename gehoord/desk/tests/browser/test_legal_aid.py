"""A subscriber's unanswered complaint goes to legal aid, in a real browser, in Dutch and English (seed 004).

Sanne, a subscriber, filed a complaint on the platform 31 days ago and the e-mail-only company
never answered. On her tracking page she closes it as unanswered and hands the dossier to legal
aid with a question. Lotte, a legal advisor, logs in, finds the dossier in her queue, opens the
full file and downloads its PDF, which holds the complaint and its timeline.
"""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from gehoord.complaints.models import Outcome
from gehoord.desk.tests.browser.support import by_label, label, log_in, tr
from gehoord.platform.models import LegalAidHandover
from gehoord.platform.tests.endings_support import consumer_account, email_only_company, legal_advisor, platform_complaint
from gehoord.portal.forms import LegalAidForm, TrackForm

QUESTION = "Can I get my money back for the soap?"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_unanswered_complaint_is_closed_handed_to_legal_aid_and_the_advisor_opens_the_pdf(browse, screenshot, lang):
    company = email_only_company(name="Zeepwinkel")
    sanne = consumer_account("sanne", subscriber=True)
    complaint = platform_complaint(company, consumer=sanne, days_ago=31, contact_language=lang)
    legal_advisor("lotte")

    page = browse(lang)
    page.goto("/volgen/")
    by_label(page, label(lang, TrackForm, "reference")).fill(complaint.reference)
    by_label(page, label(lang, TrackForm, "email")).fill(sanne.email)
    page.get_by_role("button", name=tr(lang, "Open my complaint"), exact=True).click()

    unanswered = page.locator("form#action-close_unanswered")
    expect(unanswered).to_be_visible()
    screenshot(page, "portal-tracking-unanswered")
    unanswered.get_by_role("button", name=tr(lang, "Close as unanswered"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(tr(lang, "Your complaint is closed as unanswered by the company."))

    handing = page.locator("form#action-hand_to_legal_aid")
    by_label(handing, label(lang, LegalAidForm, "question")).fill(QUESTION)
    handing.get_by_role("button", name=tr(lang, "Hand to legal aid"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(tr(lang, "Your dossier has been handed to legal aid. We have sent you a confirmation."))
    expect(page.locator("form#action-hand_to_legal_aid")).to_have_count(0)
    expect(page.get_by_text(tr(lang, "Handed to legal aid")).first).to_be_visible()
    screenshot(page, "portal-tracking-legal-aid")

    complaint.refresh_from_db()
    assert complaint.outcome == Outcome.UNANSWERED
    assert LegalAidHandover.objects.get(complaint=complaint).question == QUESTION

    lotte = browse(lang)
    lotte.goto("/rechtshulp/")
    expect(lotte).to_have_url(re.compile(r"/accounts/login/\?next=/rechtshulp/$"))
    log_in(lotte, lang, "lotte", "secret-pass-123")
    lotte.get_by_role("link", name=complaint.reference, exact=True).click()
    expect(lotte.get_by_role("heading", level=1)).to_contain_text(complaint.reference)
    expect(lotte.locator("body")).to_contain_text(QUESTION)
    screenshot(lotte, "legal-aid-dossier")

    with lotte.expect_download() as downloading:
        lotte.get_by_role("link", name=tr(lang, "Download the PDF"), exact=True).click()
    download = downloading.value
    assert download.suggested_filename == f"dossier-{complaint.reference}.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)
    assert complaint.reference in text and complaint.description in text
    assert tr(lang, "Handed to legal aid") in text and QUESTION in text
