"""Every mail Gehoord sends: one function per mail, one template set per mail. All but a staff
invitation and a password reset are about a complaint.

A function renders the mail in the recipient's language and records it in the outbox inside the
caller's transaction; delivery is a task enqueued once that transaction commits. A mail to the
complainant carries the reference tag in the subject, our own Message-ID, the thread's
In-Reply-To/References and a Reply-To address whose token identifies the complaint, so the answer
finds its way back whatever the consumer's client does to the subject.

Two guards run before anything is queued: an address that bounced permanently gets nothing
(the mail is recorded as failed, with the reason on the complaint), and no address gets more
than GEHOORD_AUTOMATIC_MAILS_PER_DAY automatic mails a day, whatever loop tries to cause them.
"""

import base64
import contextlib
import contextvars
import datetime
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from gehoord.complaints import lifecycle
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Message, Publication
from gehoord.complaints.notices import Notice
from gehoord.complaints.tracking import base_url, tracking_url
from gehoord.insights import monthly
from gehoord.mail.models import (
    AutomaticMailCount, FailingAddress, InboundMail, NotificationKind, OutboundAttachment, OutboundMail, ReplyAddress,
)
from gehoord.organisations.models import Role
from gehoord.policies import deadlines

REFERENCES_KEPT = 10


def send_acknowledgement(complaint, expected_answer_by, *, handled_by: str = "", new_complaint: bool = False) -> None:
    """`handled_by`: who handles it (the person, the team or the stage's body), "" for the first line's
    general wording. `new_complaint`: the complaint was created in this transaction, so it has no mail yet."""
    template = "escalation_acknowledgement" if complaint.stage > 1 else "acknowledgement"
    _queue(
        template,
        complaint,
        new_complaint=new_complaint,
        expected_answer_by=expected_answer_by,
        handled_by=handled_by,
    )


def send_tracking_link(complaint) -> None:
    """A fresh link to follow the complaint, which the consumer asked for on the tracking page."""
    _queue("tracking_link", complaint)


def send_information_request(complaint, message) -> None:
    _queue("information_request", complaint, message=message)


def send_staff_message(complaint, message) -> None:
    _queue("staff_message", complaint, message=message, automatic=False)


def send_resolution_proposal(complaint, resolution) -> None:
    _queue("resolution_proposal", complaint, resolution=resolution)


def send_escalation_received(complaint) -> None:
    """With the answer date of the new stage, or plainly that its policy sets none (vxhome)."""
    _queue(
        "escalation_received",
        complaint,
        expected_answer_by=deadlines.expected_answer_by(complaint),
        handled_by=lifecycle.who_handles(complaint),
    )


def send_outcome(complaint, letter) -> None:
    """The outcome, naming the next step: the next internal stage, or where the policy says the
    consumer can go once the internal procedure has ended."""
    later_stage = lifecycle.next_stage(complaint) is not None and not complaint.resolved_in_favour
    external_bodies = () if later_stage else complaint.policy.spec.external_bodies
    _queue("outcome", complaint, letter=letter, can_escalate=later_stage, external_bodies=external_bodies)


def send_referral(complaint, body: str) -> None:
    """The consumer is told where the complaint went, with the body's address and what it does,
    when the policy names it."""
    named = next(
        (known for known in complaint.policy.spec.external_bodies if body in (known.name.nl, known.name.en)), None
    )
    _queue("referral", complaint, body=body, external_body=named)


def send_closing(complaint) -> None:
    _queue("closing", complaint)


def send_progress_update(complaint, new_estimate) -> None:
    """The update a `respond` deadline demands when no answer went out in time (seed 000)."""
    _queue("progress_update", complaint, new_estimate=new_estimate)


def send_deadline_extension(complaint, deadline) -> None:
    """The consumer is told the reason and the new date at once (seeds 002, 003)."""
    _queue("deadline_extension", complaint, deadline=deadline)


def send_company_complaint(complaint) -> OutboundMail | None:
    """The complaint, with the platform's header, to an e-mail-only company's registry address."""
    # Only a published complaint is public: a withheld one goes to the company as not public.
    return _queue(
        "company_complaint", complaint, to_company=True, public=complaint.publication == Publication.PUBLISHED,
        dashboard_url=base_url() + reverse("portal:company_login"),
    )


def send_company_reply(complaint, message) -> None:
    """A (confirmed) reply of an e-mail-only company, forwarded to the consumer."""
    _queue("company_reply", complaint, message=message)


def send_company_forward(complaint, message) -> None:
    """The consumer's answer, forwarded to an e-mail-only company on its own thread."""
    _queue("company_forward", complaint, to_company=True, message=message)


def send_staff_notification(notification, address: str, language: str) -> OutboundMail | None:
    """A staff member's notification (mail/staff_notifications.py), by mail, with the link that opens
    the complaint in the desk; counted against the address's daily limit like every automatic mail."""
    organisation = notification.complaint.organisation
    with translation.override(language):
        title, deadline_kind = notification.title(), notification.deadline_label()
    return _queue(
        "staff_notification",
        notification.complaint,
        kind=notification.kind,
        to=address,
        language=language,
        title=title,
        deadline_kind=deadline_kind,
        due_at=notification.due_at(),
        missed=notification.kind == NotificationKind.DEADLINE_MISSED,
        open_url=base_url() + reverse("desk:notification_open", args=[organisation.slug, notification.pk]),
        settings_url=base_url() + reverse("desk:notification_settings", args=[organisation.slug]),
    )


def send_screening_decision(complaint, message=None) -> None:
    """A text was withheld from publication: the complaint or the consumer's message to the consumer,
    a company's reply to the company's registry address (it has no account, only that address)."""
    if message is not None and message.kind == Message.Kind.COMPANY:
        organisation = complaint.organisation
        _queue("screening_decision", complaint, message=message, to=organisation.complaint_email,
               language=organisation.language, dashboard_url=base_url() + reverse("portal:company_login"))
    else:
        _queue("screening_decision", complaint, message=message)
def send_report_decision(complaint, report) -> None:
    """The company that reported a complaint is told what the moderator decided: at its registry
    address, or (a connected company without one) at the address of the staff member who reported it."""
    organisation = complaint.organisation
    address = organisation.complaint_email
    if not address:
        reported = complaint.events.filter(kind=EventKind.REPORTED, data__report_id=report.pk).select_related("actor").first()
        address = reported.actor.email if reported and reported.actor else ""
    if not address:
        return  # nobody to tell (an empty `to` would mean the consumer)
    _queue("report_decision", complaint, report=report, to=address, language=organisation.language)


def send_company_reminder(complaint, deadline) -> None:
    """An e-mail-only company has no staff: its registry address is reminded to answer, by replying
    to this mail (the reference in the subject threads the answer to the complaint)."""
    organisation = complaint.organisation
    if not organisation.complaint_email:
        return  # nowhere to remind (an empty `to` would mean the consumer)
    _queue("company_reminder", complaint, deadline=deadline, to=organisation.complaint_email, language=organisation.language)


def send_legal_aid_handover(complaint, handover) -> None:
    _queue("legal_aid_handover", complaint, handover=handover)


def send_staff_invitation(invitation, accept_url: str) -> OutboundMail:
    """The invitation to join an organisation's staff, with its single-use link: about no complaint,
    so no reference tag and no reply address; in the organisation's language; counted like every
    automatic mail, so no address gets more than the daily limit however often it is invited."""
    organisation = invitation.organisation
    inviter = invitation.invited_by
    context = {
        "organisation": organisation,
        "invitation": invitation,
        "accept_url": accept_url,
        "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
    }
    with translation.override(organisation.language):
        context["roles"] = ", ".join(str(Role(role).label) for role in invitation.roles)
        subject = " ".join(render_to_string("mail/staff_invitation/subject.txt", context).split())
        body = render_to_string("mail/staff_invitation/body.txt", context)
        html = render_to_string(
            "mail/_base.html", {**context, "subject": subject, "body": body, "language": organisation.language}
        )
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]
    return _record(
        OutboundMail(
            kind="staff_invitation",
            to_address=invitation.email,
            language=organisation.language,
            subject=subject[:300],
            body_text=body,
            body_html=html,
            message_id=f"invitation.{secrets.token_hex(8)}@{domain}".lower(),
            auto_submitted="auto-generated",
            created_at=timezone.now(),
        )
    )


def send_monthly_report(organisation, user, content, language: str, reports_url: str) -> OutboundMail:
    """Last month's report (`content` from insights/monthly.py, in `language`) to one complaint manager:
    the charts inside the HTML as PNG images, the whole report as a PDF attachment. About no
    complaint; recorded with its files in one transaction, so delivery never finds it without them."""
    with translation.override(language):
        month = date_format(content.report.period.start, "F Y")
        sections = [
            {"heading": section.heading, "chart": section.chart, "first": section.first, "columns": section.columns,
             "rows": section.rows, "image": content.images.get(section.chart.name) if section.chart else None}
            for section in content.sections
        ]
        context = {
            "organisation": organisation, "month": month, "title": content.title, "summary": monthly.summary(content.report),
            "sections": sections, "reports_url": reports_url, "language": language,
        }
        subject = " ".join(render_to_string("mail/monthly_report/subject.txt", context).split())
        body = render_to_string("mail/monthly_report/body.txt", context)
        html = render_to_string("mail/monthly_report/body.html", {**context, "subject": subject})
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]
    with transaction.atomic():
        mail = _record(
            OutboundMail(
                kind="monthly_report",
                to_address=user.email.strip().lower(),
                language=language,
                subject=subject[:300],
                body_text=body,
                body_html=html,
                message_id=f"monthly-report.{secrets.token_hex(8)}@{domain}".lower(),
                auto_submitted="auto-generated",
                created_at=timezone.now(),
            )
        )
        OutboundAttachment.objects.bulk_create(
            [
                *(OutboundAttachment(mail=mail, filename=image.filename, content_type="image/png",
                                     content_id=image.content_id, content=image.png) for image in content.images.values()),
                OutboundAttachment(mail=mail, filename=content.pdf_name, content_type="application/pdf", content=content.pdf),
            ]
        )
    return mail


def send_password_reset(user, reset_url: str, language: str) -> OutboundMail:
    """The link to choose a new password, to a staff member's account address.

    About no complaint: no reference tag, no reply address, no thread, text only. Automatic like the
    others, so it counts against the address's daily limit and is never sent to a failing address:
    a flood of reset requests cannot flood a mailbox.
    """
    now = timezone.now()
    to = user.email.strip().lower()
    context = {"user": user, "reset_url": reset_url}
    with translation.override(language):
        subject = " ".join(render_to_string("mail/password_reset/subject.txt", context).split())
        body = render_to_string("mail/password_reset/body.txt", context)
    return _record(
        OutboundMail(
            kind="password_reset",
            to_address=to,
            language=language,
            subject=subject[:300],
            body_text=body,
            message_id=f"password-reset.{secrets.token_hex(8)}@{settings.DEFAULT_FROM_EMAIL.rpartition('@')[2]}".lower(),
            automatic=True,
            auto_submitted="auto-generated",
            created_at=now,
        )
    )


def send_account_verification(user, verify_url: str, language: str) -> OutboundMail:
    """The link that confirms a new consumer account's address."""
    return _account_mail("account_verification", user, language, verify_url=verify_url)


def send_account_exists(user, login_url: str, language: str) -> OutboundMail:
    """Someone signed up with an address that has an account: its owner is told (with a login link),
    the person signing up sees the same page as for a new account."""
    return _account_mail("account_exists", user, language, login_url=login_url)


def send_login_link(user, login_url: str, language: str) -> OutboundMail:
    return _account_mail("login_link", user, language, login_url=login_url)


def send_data_export_link(address: str, download_url: str, language: str, valid_hours: int) -> OutboundMail:
    """The link to download everything the platform holds about the address's owner (GDPR export)."""
    context = {"download_url": download_url, "valid_hours": valid_hours}
    return _mail_about_no_complaint("data_export_link", address, language, context)


def _account_mail(kind: str, user, language: str, **context) -> OutboundMail:
    context["user"] = user
    return _mail_about_no_complaint(kind, user.email, language, context)


def send_company_login_link(
    address: str, links: list[tuple[str, str]], language: str, lifetime_minutes: int
) -> OutboundMail:
    """The link(s) that log an e-mail-only company into its dashboard, to its registry address:
    one (organisation name, link) per registry entry with that address."""
    return _mail_about_no_complaint(
        "company_login", address, language, {"links": links, "lifetime_minutes": lifetime_minutes}
    )


def _mail_about_no_complaint(kind: str, address: str, language: str, context: dict) -> OutboundMail:
    """A mail about an account or a login, like the password reset: no complaint, text only,
    automatic (so a flood of sign-ups or link requests cannot flood a mailbox)."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"mail/{kind}/subject.txt", context).split())
        body = render_to_string(f"mail/{kind}/body.txt", context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]
    return _record(
        OutboundMail(
            kind=kind,
            to_address=address.strip().lower(),
            language=language,
            subject=subject[:300],
            body_text=body,
            message_id=f"{kind.replace('_', '-')}.{secrets.token_hex(8)}@{domain}".lower(),
            automatic=True,
            auto_submitted="auto-generated",
            created_at=timezone.now(),
        )
    )


def tell(notice: Notice, complaint, **details) -> OutboundMail | None:
    """The messenger of complaints.notices: each notice is one of the mails above (the mail
    recorded, where the sender returns it)."""
    return SENDERS[notice](complaint, **details)


SENDERS = {
    Notice.ACKNOWLEDGEMENT: send_acknowledgement,
    Notice.INFORMATION_REQUEST: send_information_request,
    Notice.STAFF_MESSAGE: send_staff_message,
    Notice.RESOLUTION_PROPOSAL: send_resolution_proposal,
    Notice.ESCALATION_RECEIVED: send_escalation_received,
    Notice.OUTCOME: send_outcome,
    Notice.REFERRAL: send_referral,
    Notice.CLOSING: send_closing,
    Notice.PROGRESS_UPDATE: send_progress_update,
    Notice.DEADLINE_EXTENSION: send_deadline_extension,
    Notice.SCREENING_DECISION: send_screening_decision,
    Notice.COMPANY_COMPLAINT: send_company_complaint,
    Notice.COMPANY_REPLY: send_company_reply,
    Notice.COMPANY_FORWARD: send_company_forward,
    Notice.COMPANY_REMINDER: send_company_reminder,
    Notice.LEGAL_AID_HANDOVER: send_legal_aid_handover,
    Notice.REPORT_DECISION: send_report_decision,
}


# -- the thread being answered ------------------------------------------------------------------


@dataclass(frozen=True)
class _Answering:
    message_id: str


_answering: contextvars.ContextVar[_Answering | None] = contextvars.ContextVar("answering", default=None)


@contextlib.contextmanager
def answering(message_id: str) -> Iterator[None]:
    """Mails queued inside this block answer the inbound mail `message_id` (the pipeline uses it).

    They thread onto it even before the mail is linked to its (new) complaint, and automatic
    ones say ``Auto-Submitted: auto-replied`` (RFC 3834) instead of ``auto-generated``.
    """
    token = _answering.set(_Answering(message_id) if message_id else None)
    try:
        yield
    finally:
        _answering.reset(token)


# -- addresses ----------------------------------------------------------------------------------


def reply_domain() -> str:
    return settings.GEHOORD_REPLY_DOMAIN or settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]


def new_reply_token() -> str:
    # 120 random bits in lower-case base32: survives clients that change the case of addresses.
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()


def reply_address(complaint, *, new_complaint: bool = False, party: str = ReplyAddress.Party.CONSUMER) -> str:
    """``reply+<token>@<reply domain>``; the token is made once per complaint and party, and kept.

    `new_complaint`: created in this transaction, so it has no token and no one else can make one.
    """
    if new_complaint:
        token = _make_reply_token(complaint, party)
    else:
        token = ReplyAddress.objects.filter(complaint=complaint, party=party).values_list("token", flat=True).first()
        if token is None:
            try:
                with transaction.atomic():
                    token = _make_reply_token(complaint, party)
            except IntegrityError:  # another transaction made it first
                token = ReplyAddress.objects.get(complaint=complaint, party=party).token
    return f"reply+{token}@{reply_domain()}"


def _make_reply_token(complaint, party: str) -> str:
    return ReplyAddress.objects.create(
        complaint=complaint, party=party, token=new_reply_token(), created_at=timezone.now()
    ).token


def failing(address: str) -> FailingAddress | None:
    return FailingAddress.objects.filter(address=address.strip().lower()).first()


def automatic_mails_per_day() -> int:
    return settings.GEHOORD_AUTOMATIC_MAILS_PER_DAY


# One statement, so that concurrent writers cannot pass the limit together: they queue on the
# row's unique key and each re-checks the count the one before it left. Raw SQL, as the ORM has
# no conditional upsert; PostgreSQL and SQLite (3.35 or later, for RETURNING) both speak it.
_COUNT_AUTOMATIC_SQL = """INSERT INTO "{counts}" ("address", "day", "count")
    SELECT %s, %s, 1 WHERE NOT EXISTS (SELECT 1 FROM "{failing}" WHERE "address" = %s)
    ON CONFLICT ("address", "day") DO UPDATE SET "count" = "{counts}"."count" + 1 WHERE "{counts}"."count" < %s
    RETURNING "count"
""".format(counts=AutomaticMailCount._meta.db_table, failing=FailingAddress._meta.db_table)


def _count_automatic(address: str, now: datetime.datetime) -> bool:
    """Count one automatic mail to `address` today; False, counting nothing, when the address is
    failing or the day's limit is reached."""
    day = now.astimezone(datetime.UTC).date()
    address = address.strip().lower()
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_AUTOMATIC_SQL, [address, day, address, automatic_mails_per_day()])
        return cursor.fetchone() is not None


# -- recording ----------------------------------------------------------------------------------


def _thread(
    complaint, to: str, answering_now: _Answering | None, new_complaint: bool, *, company: bool = False
) -> tuple[str, list[str]]:
    """In-Reply-To and References: the mails of this complaint exchanged with this address.

    In-Reply-To is the correspondent's latest mail (else our latest mail), References the last few
    ids of both sides in the order they were written. The consumer's thread and an e-mail-only
    company's are kept apart: neither sees the other's Message-IDs.
    """
    if new_complaint:
        inbound, outbound = [], []  # a complaint created in this transaction has no mail yet
    else:
        received = InboundMail.objects.filter(complaint=complaint, message_id_synthetic=False, noise="")
        if company:
            received = received.filter(complaint_message__kind=Message.Kind.COMPANY)
        else:
            received = received.exclude(complaint_message__kind=Message.Kind.COMPANY)
        inbound = list(
            received.order_by("-received_at", "-id")
            .values_list("received_at", "message_id")[:REFERENCES_KEPT]
        )
        outbound = list(
            OutboundMail.objects.filter(complaint=complaint, to_address=to)
            .order_by("-created_at", "-id")
            .values_list("created_at", "message_id")[:REFERENCES_KEPT]
        )
    if answering_now is not None:
        inbound.insert(0, (timezone.now(), answering_now.message_id))
    chain = sorted(inbound + outbound, key=lambda pair: pair[0])
    references = list(dict.fromkeys(message_id for _, message_id in chain))[-REFERENCES_KEPT:]
    if inbound:
        in_reply_to = max(inbound, key=lambda pair: pair[0])[1]
    elif outbound:
        in_reply_to = max(outbound, key=lambda pair: pair[0])[1]
    else:
        in_reply_to = ""
    return in_reply_to, references


def _queue(
    template: str,
    complaint,
    automatic: bool = True,
    to: str = "",
    language: str = "",
    new_complaint: bool = False,
    to_company: bool = False,
    kind: str = "",
    **context,
) -> OutboundMail | None:
    """Render and record one mail; by default to the complainant, in the complainant's language.

    `kind`: what the outbox calls the mail, where it is not the template's name.

    `new_complaint`: the complaint was created in this transaction, so it has no mail and no reply
    address yet. `to_company`: to an e-mail-only company's registry address, in its language, with
    the company's own reply address and thread.
    """
    if to_company:
        to, language = complaint.organisation.complaint_email, complaint.organisation.language
    to_consumer = not to
    to = (to or complaint.contact_email or "").strip().lower()
    language = language or complaint.contact_language
    if not to:
        return None
    now = timezone.now()
    answering_now = _answering.get() if to_consumer else None
    if to_company:
        reply_to = reply_address(complaint, party=ReplyAddress.Party.COMPANY)
    else:
        reply_to = reply_address(complaint, new_complaint=new_complaint) if to_consumer else ""
    context.update(complaint=complaint, organisation=complaint.organisation, reply_to=reply_to)
    if to_consumer:
        # Every mail to the consumer renews the link (a link lives GEHOORD_TRACKING_LINK_DAYS).
        context["tracking_url"] = tracking_url(complaint)
    with translation.override(language):
        # One line whatever the reference or the template holds: a line break would end the header.
        subject = " ".join(f"[{complaint.reference}] {render_to_string(f'mail/{template}/subject.txt', context)}".split())
        body = render_to_string(f"mail/{template}/body.txt", context)
        html = render_to_string("mail/_base.html", {**context, "subject": subject, "body": body, "language": language})
    if to_consumer or to_company:
        in_reply_to, references = _thread(complaint, to, answering_now, new_complaint, company=to_company)
    else:
        in_reply_to, references = "", []
    mail = OutboundMail(
        complaint=complaint,
        kind=kind or template,
        to_address=to,
        language=language,
        subject=subject[:300],
        body_text=body,
        body_html=html,
        message_id=f"{complaint.public_id}.{secrets.token_hex(8)}@{settings.DEFAULT_FROM_EMAIL.rpartition('@')[2]}".lower(),
        in_reply_to=in_reply_to,
        references=" ".join(references),
        reply_to=reply_to,
        automatic=automatic,
        auto_submitted=("auto-replied" if answering_now else "auto-generated") if automatic else "",
        created_at=now,
    )
    return _record(mail)


def _record(mail: OutboundMail) -> OutboundMail:
    """Save the mail in the outbox, past the two guards, and deliver it once the transaction commits."""
    to, now, automatic = mail.to_address, mail.created_at, mail.automatic
    # The common case, an automatic mail counted for a working address, takes one statement.
    counted = automatic and _count_automatic(to, now)
    blocked = None if counted else failing(to)
    if blocked is not None:
        mail.state = OutboundMail.State.FAILED
        mail.failed_at = now
        mail.last_error = f"not sent: {to} is failing since {blocked.first_failed_at:%Y-%m-%d %H:%M} UTC ({blocked.reason})"
    elif automatic and not counted:
        mail.state = OutboundMail.State.SUPPRESSED
        mail.last_error = f"not sent: {to} already got {automatic_mails_per_day()} automatic mails today"
    mail.save(force_insert=True)
    if mail.state == OutboundMail.State.QUEUED:
        from gehoord.mail.tasks import deliver

        # robust: the row is committed and the sweep hands it on, so a task queue that is down (a broker
        # out of reach) is logged rather than failing a request whose change has already committed.
        transaction.on_commit(lambda: deliver.enqueue(mail.pk), robust=True)
    else:
        from gehoord.mail.recording import record_not_sent

        record_not_sent(mail)
    return mail
