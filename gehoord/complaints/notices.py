"""What the people of a complaint are told, decided by the actions and the sweep.

The actions say *what* to tell and *when* (inside their transaction, with the facts the notice
needs); how it is said and sent (templates, languages, the outbox, the caps on automatic mail) is
the outgoing-mail layer's. That layer sits above this one, so it plugs itself in when the apps are
ready (`use_messenger`) instead of being imported here. A notice told while no messenger is
plugged in raises: a notice is never dropped in silence.
"""

import enum
from collections.abc import Callable


class Notice(enum.StrEnum):
    """Every notice about a complaint. To the consumer unless the name says otherwise."""

    # The receipt, or at an escalation stage the escalation's receipt: reference, handler, expected answer.
    ACKNOWLEDGEMENT = "acknowledgement"
    INFORMATION_REQUEST = "information_request"
    # A message a person wrote to the consumer: the only notice that is not automatic.
    STAFF_MESSAGE = "staff_message"
    RESOLUTION_PROPOSAL = "resolution_proposal"
    ESCALATION_RECEIVED = "escalation_received"
    OUTCOME = "outcome"
    # The complaint went to an external body: which one, and how to reach it.
    REFERRAL = "referral"
    CLOSING = "closing"
    # The update a `respond` deadline demands when no answer went out in time (seed 000).
    PROGRESS_UPDATE = "progress_update"
    # The reason and the new date of an extended deadline (seeds 002, 003).
    DEADLINE_EXTENSION = "deadline_extension"
    # A moderator withheld a complaint or a reply from publication: to its author, with the reason.
    SCREENING_DECISION = "screening_decision"
    # The platform and its e-mail-only companies (seed 004). To the company's registry address:
    # the complaint with the platform's header, and the consumer's answers on the company's thread.
    COMPANY_COMPLAINT = "company_complaint"
    COMPANY_FORWARD = "company_forward"
    # A company's confirmed reply, forwarded to the consumer.
    COMPANY_REPLY = "company_reply"
    # The platform (seed 004): an e-mail-only company, at its registry address, reminded to answer.
    COMPANY_REMINDER = "company_reminder"
    # The consumer's dossier went to the legal-aid service.
    LEGAL_AID_HANDOVER = "legal_aid_handover"
    # To the company that reported a published complaint: what the moderator decided.
    REPORT_DECISION = "report_decision"


Messenger = Callable[..., None]  # (notice, complaint, **details)

_messenger: Messenger | None = None


def use_messenger(messenger: Messenger) -> None:
    """Plug in what turns notices into mail (the outgoing-mail app does, when it is ready)."""
    global _messenger
    _messenger = messenger


def tell(complaint, notice: Notice, **details):
    """Tell `notice` about `complaint` now, within the caller's transaction; returns what the
    messenger recorded (the outgoing mail), if anything."""
    if _messenger is None:
        raise RuntimeError(f"No messenger is plugged in to tell {notice}: is the mail app installed?")
    return _messenger(Notice(notice), complaint, **details)
