"""Moderation in a real browser (issue 13), in Dutch and in English, with real SMTP on 127.0.0.1.

Mona, a moderator, withholds Carol's insulting public complaint about Bakkerij Brood with a reason
from the list; Carol reads why on her complaint's page, changes the text and submits it again;
the automatic screening finds the new text clean and publishes it, without the insult. Then the bakery reports a published
complaint as a threat from its dashboard: it is off the public page at once, and Mona upholds the
report; the bakery is told by mail.
"""

import email
import email.policy
import time

import pytest
from playwright.sync_api import expect

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Publication
from gehoord.desk.tests.browser.support import by_label, label, log_in, tr
from gehoord.mail.tests.conftest import sink  # noqa: F401  (the SMTP sink our outgoing mail reaches)
from gehoord.platform import companies
from gehoord.platform.models import Report
from gehoord.platform.moderation_forms import ReportDecisionForm, ReportForm, WithholdForm
from gehoord.platform.publication import WithholdReason
from gehoord.platform.tests.accounts_support import PASSWORD, email_only_company, file_platform_complaint, moderator
from gehoord.portal.forms import ResubmitForm, TrackForm

pytestmark = pytest.mark.django_db(transaction=True)

INSULTING = "Het brood was beschimmeld en de bakker is een vuile oplichter en een idioot."
CHANGED = "Het brood was beschimmeld. Ik wil mijn geld terug."
THREAT = "Het brood was beschimmeld. Ik weet waar de bakker woont en hij gaat eraan."


def mail_to(sink, address: str, subject: str, timeout: float = 15.0):  # noqa: F811
    """The mail the sink got for `address` with `subject` in its subject line, once it is there."""
    deadline = time.monotonic() + timeout
    while True:
        for _, recipients, raw in list(sink.messages):
            mail = email.message_from_bytes(raw, policy=email.policy.default)
            if address in recipients and subject in " ".join(mail["Subject"].split()):
                return mail
        if time.monotonic() > deadline:
            raise AssertionError(f"expected a mail to {address} about {subject!r}")
        time.sleep(0.05)


def mona_logs_in(browse, lang: str, path: str):
    page = browse(lang)
    page.goto(path)
    log_in(page, lang, "mona", PASSWORD)
    return page


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_withheld_insult_is_changed_by_its_author_and_published_without_it(
    lang, browse, screenshot, sink  # noqa: F811
):
    moderator("mona")
    bakery = email_only_company()
    complaint = file_platform_complaint(bakery, public=True, description=INSULTING)

    # Mona withholds it with a reason from the list and a note.
    mona = mona_logs_in(browse, lang, f"/moderatie/klacht/{complaint.public_id}/")
    expect(mona.locator("#written-description")).to_contain_text("een idioot")
    by_label(mona, label(lang, WithholdForm, "reason")).select_option("insult")
    by_label(mona, label(lang, WithholdForm, "note")).fill("Laat de scheldwoorden weg.")
    screenshot(mona, "moderation-withhold")
    mona.get_by_role("button", name=tr(lang, "Withhold"), exact=True).click()
    expect(mona.get_by_role("status")).to_contain_text(tr(lang, "Withheld: the author is told why."))
    complaint.refresh_from_db()
    assert complaint.publication == Publication.WITHHELD

    # Carol is told why by mail, in her language, with the way to change it.
    told = mail_to(sink, "carol@example.nl", tr(complaint.contact_language, "Your complaint is not published"))
    with_reason = " ".join(told.get_body(("plain",)).get_content().split())
    assert f"{tr(complaint.contact_language, WithholdReason.INSULT.label)}: Laat de scheldwoorden weg." in with_reason

    # Carol reads the reason on her complaint's page, changes the text and submits it again.
    carol = browse(lang)
    carol.goto("/volgen/")
    by_label(carol, label(lang, TrackForm, "reference")).fill(complaint.reference)
    by_label(carol, label(lang, TrackForm, "email")).fill("carol@example.nl")
    carol.get_by_role("button", name=tr(lang, "Open my complaint"), exact=True).click()
    expect(carol.locator("main")).to_contain_text(f"{tr(lang, WithholdReason.INSULT.label)}: Laat de scheldwoorden weg.")
    changing = carol.locator("form#action-resubmit")
    expect(by_label(changing, label(lang, ResubmitForm, "description"))).to_have_value(INSULTING)
    by_label(changing, label(lang, ResubmitForm, "description")).fill(CHANGED)
    screenshot(carol, "portal-tracking-resubmit")
    changing.get_by_role("button", name=tr(lang, "Submit again"), exact=True).click()
    expect(carol.get_by_role("status")).to_contain_text(
        tr(lang, "Your changed complaint was submitted again: a moderator checks it before it is published.")
    )
    expect(carol.get_by_text(tr(lang, "Text changed and submitted again")).first).to_be_visible()
    # The automatic screening reads the changed text at once, finds it clean and publishes it.
    complaint.refresh_from_db()
    assert (complaint.publication, complaint.description) == (Publication.PUBLISHED, CHANGED)
    assert complaint.events.filter(kind="auto_screened", data__flagged=False).exists()

    visitor = browse(lang)
    visitor.goto(f"/klachten/{complaint.public_id}/")
    expect(visitor.locator("main")).to_contain_text(CHANGED)
    expect(visitor.locator("main")).not_to_contain_text("idioot")
    screenshot(visitor, "public-complaint-after-resubmission")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_company_reports_a_threat_which_leaves_the_public_page_until_a_moderator_upholds_it(
    lang, browse, screenshot, sink  # noqa: F811
):
    moderator("mona")
    bakery = email_only_company()
    complaint = file_platform_complaint(bakery, public=True, description=THREAT)
    actions.perform("publish", complaint, by=Actor.moderator(moderator("mo")))
    visitor = browse(lang)
    visitor.goto(f"/klachten/{complaint.public_id}/")
    expect(visitor.locator("main")).to_contain_text("de bakker woont")

    # The bakery logs in to its dashboard and reports the complaint as a threat.
    company = browse(lang)
    company.goto(f"/bedrijf/link/{companies.login_token(bakery)}/")
    company.get_by_role("button", name=tr(lang, "Log in as %(name)s", name=bakery.name), exact=True).click()
    company.goto(f"/bedrijf/klachten/{complaint.public_id}/")
    company.get_by_text(tr(lang, "Report this complaint to the moderators"), exact=True).click()
    by_label(company, label(lang, ReportForm, "reason")).select_option("threat")
    by_label(company, label(lang, ReportForm, "details")).fill("Dit is een bedreiging van onze bakker.")
    screenshot(company, "company-report")
    company.get_by_role("button", name=tr(lang, "Report"), exact=True).click()
    expect(company.get_by_role("status")).to_contain_text(
        tr(lang, "Your report was sent to the moderators. We tell you their decision by e-mail.")
    )

    # Off the public page at once.
    browse.allow(r"404")
    gone = visitor.goto(f"/klachten/{complaint.public_id}/")
    assert gone.status == 404

    # Mona upholds the report by withholding the complaint; the bakery is told.
    mona = mona_logs_in(browse, lang, "/moderatie/")
    mona.get_by_role("link", name=tr(lang, "Decide on reports"), exact=True).click()
    report = Report.objects.get(complaint=complaint)
    item = mona.locator(f"#report-{report.pk}")
    expect(item).to_contain_text("Dit is een bedreiging van onze bakker.")
    item.get_by_label(tr(lang, "Uphold: withhold the complaint with the reason below"), exact=True).check()
    by_label(item, label(lang, ReportDecisionForm, "reason")).select_option("threat")
    screenshot(mona, "moderation-reports")
    item.get_by_role("button", name=tr(lang, "Decide"), exact=True).click()
    expect(mona.get_by_role("status")).to_contain_text(tr(lang, "Decided; the company is told by e-mail."))

    report.refresh_from_db()
    complaint.refresh_from_db()
    assert (report.state, complaint.publication) == (Report.State.UPHELD, Publication.WITHHELD)
    outcome = mail_to(sink, "klachten@bakkerij-brood.example", tr(bakery.language, "Your report of a complaint has been decided"))
    assert complaint.reference in outcome["Subject"]
    assert visitor.goto(f"/klachten/{complaint.public_id}/").status == 404
