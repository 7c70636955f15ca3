"""The public platform end to end (seed 004), in Dutch and in English, in a real browser with real
SMTP on 127.0.0.1.

Carol signs up, adds a company the registry lacks and files a public complaint about it with a
photo. Once a moderator has published it, the platform mails it to the company; the company's
helpdesk answers over SMTP (its own subject with a ticket tag, the history quoted, a phone number in
the signature). The answer reaches Carol by mail and, after screening, the public page, with the
personal data redacted. Carol closes the complaint as resolved and the company's score card
changes. A private complaint about the same company never shows on any public page or in the
public API.
"""

import email
import email.policy
import re
import smtplib
import time

import pytest
from playwright.sync_api import expect

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Message, Publication, Status
from gehoord.desk.tests.browser.support import by_label, label, photo, tr
from gehoord.inbound.tests.conftest import receiver  # noqa: F401  (where the company's reply arrives)
from gehoord.mail.models import OutboundMail
from gehoord.mail.tests.conftest import sink  # noqa: F401  (the SMTP sink our outgoing mail reaches)
from gehoord.mail.tests.support import make_mail
from gehoord.organisations.models import Organisation
from gehoord.platform import scores
from gehoord.platform.models import CompanyScore, PlatformSettings
from gehoord.platform.registry_forms import CompanyForm
from gehoord.platform.tests.accounts_support import PASSWORD, consumer, file_platform_complaint, moderator
from gehoord.portal.account_forms import SignUpForm
from gehoord.portal.forms import PlatformComplaintForm

pytestmark = pytest.mark.django_db(transaction=True)

COMPANY = "Fietsenmaker Zuid"
COMPANY_ADDRESS = "klachten@fietsenzuid.example"
DESCRIPTION = "Mijn nieuwe fiets had na een week een gebroken spaak. Bel me op 06 12345678 als u vragen hebt."
REPLY = "Beste Carol, wij vervangen het wiel kosteloos. U kunt de fiets morgen ophalen."
SIGNATURE = "Met vriendelijke groet,\nPieter van de klantenservice\nDirect: 020 555 1234"
SECRET = "Privéklacht: de eigenaar rekende mij 80 euro te veel voor de reparatie."


def mails_to(sink, address: str, count: int, timeout: float = 15.0) -> list[str]:
    """The mails the sink got for `address`, once it has at least `count`."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for _, recipients, raw in list(sink.messages) if address in recipients
        ]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} mails to {address}, got {len(found)}")
        time.sleep(0.05)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_complaint_travels_from_consumer_to_company_to_the_public_page_and_the_score_card(
    lang, browse, screenshot, sink, receiver  # noqa: F811
):
    mona = Actor.moderator(moderator("mona"))
    # A score from the first complaint, so that one verdict visibly moves the card.
    PlatformSettings.objects.update_or_create(pk=1, defaults={"minimum_complaints": 1})

    # Carol signs up and confirms her address with the link she is mailed.
    carol = browse(lang)
    carol.goto("/account/aanmelden/")
    by_label(carol, label(lang, SignUpForm, "name")).fill("Carol de Vries")
    by_label(carol, label(lang, SignUpForm, "email")).fill("carol@example.nl")
    by_label(carol, label(lang, SignUpForm, "password")).fill(PASSWORD)
    carol.get_by_role("button", name=tr(lang, "Create account"), exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "Check your e-mail"))
    [verification] = mails_to(sink, "carol@example.nl", 1)
    carol.goto(re.search(r"(/account/bevestigen/\S+)", verification.get_body(("plain",)).get_content()).group(1))
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "My complaints"))

    # The bicycle shop is not in the registry: she looks for it, then adds it.
    carol.goto("/klacht/")
    carol.get_by_role("searchbox").fill(COMPANY)
    carol.get_by_role("button", name=tr(lang, "Search"), exact=True).click()
    expect(carol.locator("main")).to_contain_text(tr(lang, "No company in the registry matches your search."))
    carol.get_by_role("link", name=tr(lang, "Add the company"), exact=True).click()
    by_label(carol, label(lang, CompanyForm, "name")).fill(COMPANY)
    by_label(carol, label(lang, CompanyForm, "complaint_email")).fill(COMPANY_ADDRESS)
    screenshot(carol, "platform-add-company")
    carol.get_by_role("button", name=tr(lang, "Add the company"), exact=True).click()
    shop = Organisation.objects.get(name=COMPANY)
    assert (shop.verified, shop.connected, shop.added_by.email) == (False, False, "carol@example.nl")

    # She files a public complaint about it with a photo.
    expect(by_label(carol, label(lang, PlatformComplaintForm, "contact_name"))).to_have_value("Carol de Vries")
    carol.get_by_label(tr(lang, "Public: everyone can read it on the platform")).check()
    by_label(carol, label(lang, PlatformComplaintForm, "description")).fill(DESCRIPTION)
    by_label(carol, label(lang, PlatformComplaintForm, "attachments")).set_input_files(photo("spaak.png"))
    carol.get_by_role("button", name=tr(lang, "Send complaint"), exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "Thank you. We have received your complaint."))
    complaint = Complaint.objects.get(organisation=shop)
    assert complaint.publication == Publication.PENDING
    assert complaint.company_notified_at is None  # not before screening

    # A moderator publishes it; the platform mails it to the company's registry address.
    actions.perform("publish", complaint, by=mona)
    [to_company] = mails_to(sink, COMPANY_ADDRESS, 1)
    with_header = to_company.get_body(("plain",)).get_content()
    assert DESCRIPTION in with_header
    assert tr(shop.language, "This complaint is PUBLIC: it is shown on the platform. Your reply will be public too.") in (
        " ".join(with_header.split())
    )

    # The company's helpdesk answers: its own subject and ticket tag, the history quoted below.
    quoted = "\n".join(f"> {line}" for line in with_header.splitlines())
    reply = make_mail(
        sender=f"Fietsenmaker Zuid <{COMPANY_ADDRESS}>", to=to_company["Reply-To"],
        subject="[Zuid Support] Re: je klacht - Request #4711",
        body=f"{REPLY}\n\n{SIGNATURE}\n\nOp 7 dec 2026 om 10:00 schreef Gehoord <noreply@gehoord.localhost>:\n{quoted}\n",
        in_reply_to=to_company["Message-ID"].strip("<>"), message_id="<zuid-4711@fietsenzuid.example>",
    )
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as client:
        client.sendmail(COMPANY_ADDRESS, [to_company["Reply-To"]], reply)
    answer = Message.objects.get(complaint=complaint, kind=Message.Kind.COMPANY)
    assert answer.body.startswith(REPLY) and "schreef Gehoord" not in answer.body

    # It reaches Carol by mail at once, and the public page after screening, redacted.
    forwarded = mails_to(sink, "carol@example.nl", 3)[-1]
    assert REPLY in forwarded.get_body(("plain",)).get_content()
    actions.perform("publish_reply", complaint, by=mona, message_id=answer.pk)
    visitor = browse(lang)
    visitor.goto(f"/klachten/{complaint.public_id}/")
    page = visitor.locator("main")
    expect(page).to_contain_text(REPLY)
    expect(page).to_contain_text("Mijn nieuwe fiets had na een week een gebroken spaak.")
    expect(page).to_contain_text(tr(lang, "[phone number removed]"))
    for personal in ("06 12345678", "020 555 1234", "carol@example.nl", "de Vries"):
        expect(page).not_to_contain_text(personal)
    screenshot(visitor, "platform-public-complaint")

    # The score card before and after Carol's verdict (the worker prepares it; here by hand).
    scores.refresh([shop.pk])
    before = CompanyScore.objects.get(organisation=shop)
    assert (before.replied, before.resolved) == (1, 0)
    visitor.goto(f"/bedrijven/{shop.slug}/")
    score_before = visitor.locator(".score").inner_text()

    carol.goto("/account/")
    carol.get_by_role("link", name=complaint.reference).click()
    verdict = carol.locator("form#action-conclude")
    verdict.get_by_label(tr(lang, "Yes"), exact=True).check()
    verdict.get_by_label("5", exact=True).check()
    screenshot(carol, "platform-verdict")
    verdict.get_by_role("button", name=tr(lang, "Close with this verdict"), exact=True).click()
    expect(carol.get_by_role("status")).to_contain_text(tr(lang, "Thank you for your verdict. Your complaint is closed."))
    complaint.refresh_from_db()
    assert (complaint.status, complaint.feedback_resolved, complaint.feedback_satisfaction) == (Status.CLOSED, True, 5)

    scores.refresh([shop.pk])
    after = CompanyScore.objects.get(organisation=shop)
    assert (after.resolved, after.closed) == (1, 1) and after.score > before.score
    visitor.goto(f"/bedrijven/{shop.slug}/")
    expect(visitor.locator(".score")).not_to_have_text(score_before)
    screenshot(visitor, "platform-company-page")

    # Daan's private complaint about the same shop shows nowhere in public.
    private = file_platform_complaint(shop, public=False, user=consumer("daan@example.nl", "Daan"), description=SECRET)
    actions.add_message(
        private, by=Actor.company(shop, via=COMPANY_ADDRESS), body="Wij bellen u over de rekening.",
        sender=COMPANY_ADDRESS,
    )
    public_urls = [
        "/", "/klachten/", f"/bedrijven/{shop.slug}/", f"/bedrijven/?q={shop.name}", f"/klacht/?q={shop.name}",
        "/api/v1/public/complaints", f"/api/v1/public/companies/{shop.slug}/complaints",
        f"/api/v1/public/companies/{shop.slug}", f"/api/v1/public/companies/{shop.slug}/score",
        f"/api/v1/public/complaints/{complaint.public_id}",
    ]
    for url in public_urls:
        response = visitor.request.get(url)
        assert response.ok, url
        text = response.text()
        assert "80 euro te veel" not in text and private.public_id not in text, url
        assert "Wij bellen u over de rekening" not in text, url
    for url in (f"/klachten/{private.public_id}/", f"/api/v1/public/complaints/{private.public_id}"):
        assert visitor.request.get(url).status == 404, url
    assert OutboundMail.objects.filter(to_address=COMPANY_ADDRESS, kind="company_complaint").count() == 2
