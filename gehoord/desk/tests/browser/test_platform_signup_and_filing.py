"""Carol signs up on the platform, confirms her address, files a public complaint with a photo about
an e-mail-only company, and Mona the moderator publishes it: in Dutch, in a real browser (seed 004).
Carol's complaint holds her phone number, so the automatic screening flags it for Mona (a clean
one would be published at once); the public page shows it without the number.
"""

import re

import pytest
from playwright.sync_api import expect

from gehoord.complaints.models import Complaint, Publication
from gehoord.desk.tests.browser.support import by_label, label, log_in, photo, tr
from gehoord.mail.models import OutboundMail
from gehoord.platform.tests.accounts_support import PASSWORD, email_only_company, moderator
from gehoord.portal.account_forms import SignUpForm
from gehoord.portal.forms import PlatformComplaintForm

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = "Het volkorenbrood van zaterdag was binnen een dag beschimmeld. De bon heb ik nog: bel 06-12345678."


def test_carol_signs_up_files_a_public_complaint_with_a_photo_and_mona_publishes_it(browse, screenshot):
    bakery = email_only_company()
    moderator("mona")
    lang = "nl"

    # Carol signs up.
    carol = browse(lang)
    carol.goto("/account/aanmelden/")
    by_label(carol, label(lang, SignUpForm, "name")).fill("Carol de Vries")
    by_label(carol, label(lang, SignUpForm, "email")).fill("carol@example.nl")
    by_label(carol, label(lang, SignUpForm, "password")).fill(PASSWORD)
    screenshot(carol, "platform-sign-up")
    carol.get_by_role("button", name=tr(lang, "Create account"), exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "Check your e-mail"))

    # She confirms her address with the link from the mail in the outbox, and is logged in.
    mail = OutboundMail.objects.get(kind="account_verification", to_address="carol@example.nl")
    carol.goto(re.search(r"(/account/bevestigen/\S+)", mail.body_text).group(1))
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "My complaints"))

    # She files a public complaint with a photo about the bakery; her name and address are filled in.
    carol.goto(f"/bedrijven/{bakery.slug}/klacht/")
    expect(by_label(carol, label(lang, PlatformComplaintForm, "contact_name"))).to_have_value("Carol de Vries")
    expect(by_label(carol, label(lang, PlatformComplaintForm, "contact_email"))).to_have_value("carol@example.nl")
    carol.get_by_label(tr(lang, "Public: everyone can read it on the platform")).check()
    by_label(carol, label(lang, PlatformComplaintForm, "description")).fill(DESCRIPTION)
    by_label(carol, label(lang, PlatformComplaintForm, "attachments")).set_input_files(photo("schimmel.png"))
    screenshot(carol, "platform-complaint-form")
    carol.get_by_role("button", name=tr(lang, "Send complaint"), exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "Thank you. We have received your complaint."))
    expect(carol.locator("main")).to_contain_text(tr(
        lang, "You chose a public complaint: a moderator checks it first. Once it is approved it is published on "
        "the platform, without your personal data. If it is not published, we tell you why."
    ))
    screenshot(carol, "platform-complaint-received")
    complaint = Complaint.objects.get()
    assert (complaint.publication, complaint.consumer.email) == (Publication.PENDING, "carol@example.nl")
    assert complaint.screening["reasons"] == [{"class": "personal_data", "found": "phone"}]
    assert [a.original_name for a in complaint.attachments.all()] == ["schimmel.png"]

    # Mona logs in, finds it in the screening queue with its full text, and publishes it.
    mona = browse(lang)
    mona.goto("/moderatie/")
    log_in(mona, lang, "mona", PASSWORD)
    mona.get_by_role("link", name=tr(lang, "Screen texts")).click()
    item = mona.locator(f"#complaint-{complaint.public_id}")
    expect(item).to_contain_text(DESCRIPTION)
    expect(item.locator(".screening-reasons")).to_contain_text(tr(lang, "personal data"))
    screenshot(mona, "platform-screening")
    item.get_by_role("button", name=tr(lang, "Publish"), exact=True).click()
    expect(mona.locator(".messages")).to_contain_text(f"{complaint.reference}: {tr(lang, 'Published.')}")
    complaint.refresh_from_db()
    assert complaint.publication == Publication.PUBLISHED

    # Carol sees it published on her complaint's page, with the link to the public page.
    carol.goto("/account/")
    carol.get_by_role("link", name=complaint.reference).click()
    expect(carol.locator(".publication")).to_contain_text(
        tr(lang, "Published: everyone can read your complaint, without your personal data.")
    )
    expect(carol.get_by_role("link", name=tr(lang, "See the public page"))).to_have_attribute(
        "href", f"/klachten/{complaint.public_id}/"
    )

    # The public page shows her complaint without her phone number.
    carol.get_by_role("link", name=tr(lang, "See the public page")).click()
    expect(carol.locator("main")).to_contain_text("De bon heb ik nog: bel")
    expect(carol.locator("main")).not_to_contain_text("06-12345678")
