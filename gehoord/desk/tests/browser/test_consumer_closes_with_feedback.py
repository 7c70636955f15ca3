"""Carol accepts a proposed resolution and closes her complaint with feedback, in a real browser.

The complaint is brought to "resolution proposed" with the domain's own actions; from there Carol
uses the tracking page: she accepts (the complaint is resolved), then closes it saying it was
resolved, 4 out of 5, with a comment. The feedback is stored on the complaint.
"""

from playwright.sync_api import expect

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.models import Outcome, Resolution, Status
from gehoord.desk.tests.browser.support import by_label, label, tr
from gehoord.portal import presentation
from gehoord.portal.forms import FeedbackForm, ResponseForm, TrackForm

PROPOSAL = "We send you a new boxspring free of charge next Tuesday."
THANKS = "Thank you, that is fine."
FEEDBACK = "Quick answer and a friendly driver. The first delivery was damaged, though."


def test_carol_accepts_the_proposal_and_closes_with_feedback(browse, screenshot, acme, as_alice):
    complaint = carol_complaint(acme, contact_language="en")
    actions.propose_resolution(complaint, by=as_alice, kinds=[Resolution.Kind.REPLACEMENT], text=PROPOSAL)
    carol = browse("en")

    carol.goto("/volgen/")
    by_label(carol, label("en", TrackForm, "reference")).fill(complaint.reference)
    by_label(carol, label("en", TrackForm, "email")).fill("carol@example.nl")
    screenshot(carol, "portal-track")
    carol.get_by_role("button", name=tr("en", "Open my complaint"), exact=True).click()
    proposal = carol.locator("section.attention", has=carol.locator("#proposal-heading"))
    expect(proposal).to_contain_text(PROPOSAL)
    expect(proposal).to_contain_text(tr("en", Resolution.Kind.REPLACEMENT.label))
    screenshot(carol, "portal-tracking-proposal")

    accept = carol.locator("form#action-accept")
    by_label(accept, label("en", ResponseForm, "comment")).fill(THANKS)
    accept.get_by_role("button", name=tr("en", "Accept this proposal"), exact=True).click()
    expect(carol.get_by_role("status")).to_contain_text(tr("en", "You accepted the proposed resolution."))
    expect(carol.locator(".status-line .badge").first).to_have_text(
        tr("en", presentation.STATUS_FOR_CONSUMER[Status.RESOLVED])
    )
    closing = carol.locator("form#action-close")
    expect(closing).to_be_visible()
    screenshot(carol, "portal-tracking-resolved")

    closing.get_by_label(tr("en", "Yes"), exact=True).check()
    closing.get_by_label("4", exact=True).check()
    by_label(closing, label("en", FeedbackForm, "comment")).fill(FEEDBACK)
    closing.get_by_role("button", name=tr("en", "Close with this feedback"), exact=True).click()

    expect(carol.get_by_role("status")).to_contain_text(tr("en", "Thank you for your feedback. Your complaint is closed."))
    expect(carol.locator(".status-line .badge").first).to_have_text(
        tr("en", presentation.STATUS_FOR_CONSUMER[Status.CLOSED])
    )
    feedback = carol.locator("section.card", has=carol.locator("#feedback-heading"))
    expect(feedback).to_contain_text(tr("en", "Resolved"))
    expect(feedback).to_contain_text(tr("en", "Satisfaction: %(score)s out of 5", score=4))
    expect(feedback).to_contain_text(FEEDBACK)
    expect(carol.locator("form#action-close")).to_have_count(0)
    screenshot(carol, "portal-tracking-closed-with-feedback")

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.outcome == Outcome.ACCEPTED
    assert (complaint.feedback_resolved, complaint.feedback_satisfaction, complaint.feedback_comment) == (
        True, 4, FEEDBACK,
    )
    assert complaint.feedback_at is not None and complaint.closed_at is not None
    (accepted,) = complaint.resolutions.all()
    assert (accepted.response, accepted.response_comment) == (Resolution.Response.ACCEPTED, THANKS)
    closed = complaint.events.get(kind="closed")
    assert closed.actor_kind == "consumer" and closed.data["feedback_resolved"] is True
