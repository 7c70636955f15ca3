"""A person's data (GDPR, issue 13): anonymising it on request or when the policy's retention
period has passed, and finding whose it is.

`erase(email)` anonymises everything the platform holds about the person with that address;
`anonymise(complaint, why=RETENTION)` does the same for one complaint only. Both take the
complaint, its messages, attachments (files deleted), texts and timeline (the event payloads'
personal keys, through `timeline.redact`, the one path that may change an event) and then hand an
`Erasure` to every eraser the upper apps plugged in from their `AppConfig.ready()` (the mail app
its stored and outgoing mail, the portal its rate-limit rows): this app sits below them.

The complaint itself stays, with its status, dates, outcome and verdict: the register's counts,
the deadlines met and the company's score card do not change, only the person is gone.
"""

import datetime
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gehoord.complaints import timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import OPEN_STATUSES, Attachment, Complaint, Message, OutcomeLetter, Resolution
from gehoord.platform.accounts import consumer_of, normalised_email
from gehoord.platform.models import LegalAidHandover, Report
from gehoord.policies.models import PolicyVersion

logger = logging.getLogger(__name__)

ERASURE = "erasure"
RETENTION = "retention"
# What stands where a person's name, address or number was.
REMOVED = "[…]"
# Name parts too common to be the person's on their own ("Carol de Vries" → Carol, Vries).
_PARTICLES = frozenset({"van", "der", "den", "de", "het", "ter", "ten", "la", "le", "von", "du", "mr", "mrs", "ms"})


@dataclass(frozen=True)
class Person:
    """What identifies someone in free text: their addresses, names and phone numbers."""

    emails: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    @classmethod
    def of(cls, complaints: Iterable[Complaint], *, email: str = "", user=None) -> "Person":
        emails, names, phones = {normalised_email(email)} - {""}, set(), set()
        for complaint in complaints:
            emails.add(normalised_email(complaint.contact_email))
            names.add(complaint.contact_name.strip())
            phones.add(complaint.contact_phone.strip())
        if user is not None:
            emails.add(normalised_email(user.email))
            names.update({user.get_full_name().strip(), user.first_name.strip(), user.last_name.strip()})
        # A complaint anonymised before names nobody.
        return cls(frozenset(emails - {""}), frozenset(names - {"", REMOVED}), frozenset(phones - {""}))

    @property
    def _pattern(self) -> re.Pattern | None:
        words = set(self.names)
        for name in self.names:
            words.update(part for part in re.split(r"\W+", name) if len(part) >= 3 and part.lower() not in _PARTICLES)
        alternatives = [re.escape(email) for email in self.emails]
        alternatives += [rf"\b{re.escape(word)}\b" for word in sorted(words, key=len, reverse=True)]
        # A number however it is written: 06-12345678, 06 1234 5678, 0612345678.
        for phone in self.phones:
            digits = re.sub(r"\D", "", phone)
            if len(digits) >= 6:
                alternatives.append(r"\+?" + r"[\s().-]*".join(digits))
        return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def scrub(self, text: str) -> str:
        """`text` with every mention of the person replaced."""
        pattern = self._pattern
        return pattern.sub(REMOVED, text) if pattern and text else text

    def scrub_data(self, value):
        """A JSON value with every string in it scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_data(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_data(item) for key, item in value.items()}
        return value


@dataclass(frozen=True)
class Erasure:
    """What an eraser of an upper app anonymises: the rows of these complaints, and when
    `everywhere` (an erasure on request, not retention) anything else that holds the addresses."""

    person: Person
    complaint_ids: frozenset[int]
    everywhere: bool


Eraser = Callable[[Erasure], None]
_erasers: list[Eraser] = []


def add_eraser(eraser: Eraser) -> None:
    """Called by an upper app's `AppConfig.ready()`: its rows are anonymised with everything else."""
    if eraser not in _erasers:
        _erasers.append(eraser)


@dataclass
class Erased:
    complaints: int = 0
    account: bool = False


def complaints_of(email: str):
    """Every complaint of the person with this address, filed with it or from their account."""
    email = normalised_email(email)
    if not email:
        return Complaint.objects.none()
    return Complaint.objects.filter(Q(contact_email__iexact=email) | Q(consumer__email__iexact=email))


def erase(email: str) -> Erased:
    """Anonymise the person with this address everywhere: their complaints, their account, and what
    the upper apps hold about them. Running it again changes nothing more."""
    email = normalised_email(email)
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    complaints = list(complaints_of(email))
    if user is not None:
        complaints += [c for c in Complaint.objects.filter(consumer=user) if c not in complaints]
    person = Person.of(complaints, email=email, user=user)
    erased = Erased()
    for complaint in complaints:
        if _anonymise(complaint, person, ERASURE):
            erased.complaints += 1
    with transaction.atomic():
        # A consumer's account; a staff login is its organisation's to remove.
        if user is not None and consumer_of(user) is not None:
            _anonymise_account(user)
            erased.account = True
        _run_erasers(Erasure(person, frozenset(c.pk for c in complaints), everywhere=True))
        _forget_cache_rows(person)
    return erased


def anonymise(complaint: Complaint, *, why: str = RETENTION) -> bool:
    """Anonymise one complaint's person in that complaint only (the retention period's end).
    False when it was anonymised already (by another worker, say)."""
    return _anonymise(complaint, Person.of([complaint]), why)


def _anonymise(complaint: Complaint, person: Person, why: str) -> bool:
    with transaction.atomic():
        # The claim is a conditional update: of two workers (or an erasure and the sweep) one wins,
        # the other changes nothing, on any database.
        if not Complaint.objects.filter(pk=complaint.pk, anonymised_at__isnull=True).update(anonymised_at=timezone.now()):
            return False
        locked = Complaint.objects.get(pk=complaint.pk)
        Complaint.objects.filter(pk=locked.pk).update(
            contact_name=REMOVED,
            contact_email="",
            contact_phone="",
            description=person.scrub(locked.description),
            desired_solution=person.scrub(locked.desired_solution),
            feedback_comment=person.scrub(locked.feedback_comment),
            rejection_reason=person.scrub(locked.rejection_reason),
            withheld_reason=person.scrub(locked.withheld_reason),
            field_values=person.scrub_data(locked.field_values),
            screening=person.scrub_data(locked.screening),
        )
        for message in Message.objects.filter(complaint=locked):
            Message.objects.filter(pk=message.pk).update(
                body=person.scrub(message.body),
                author_name=REMOVED if message.kind == Message.Kind.CONSUMER else person.scrub(message.author_name),
                sender_email="" if normalised_email(message.sender_email) in person.emails else message.sender_email,
                withheld_reason=person.scrub(message.withheld_reason),
                screening=person.scrub_data(message.screening),
            )
        for resolution in Resolution.objects.filter(complaint=locked):
            Resolution.objects.filter(pk=resolution.pk).update(
                text=person.scrub(resolution.text), response_comment=person.scrub(resolution.response_comment)
            )
        for letter in OutcomeLetter.objects.filter(complaint=locked):
            OutcomeLetter.objects.filter(pk=letter.pk).update(
                actions_taken=person.scrub(letter.actions_taken), conclusions=person.scrub(letter.conclusions),
                changes=person.scrub(letter.changes), decision=person.scrub(letter.decision),
            )
        for handover in LegalAidHandover.objects.filter(complaint=locked):
            LegalAidHandover.objects.filter(pk=handover.pk).update(question=person.scrub(handover.question))
        for report in Report.objects.filter(complaint=locked):
            Report.objects.filter(pk=report.pk).update(details=person.scrub(report.details))
        _delete_attachments(locked)
        timeline.redact(locked, scrub=person.scrub)
        timeline.record(locked, EventKind.ANONYMISED, Actor.system(), why=why)
        if why == RETENTION:
            _run_erasers(Erasure(person, frozenset({locked.pk}), everywhere=False))
    return True


def _delete_attachments(complaint: Complaint) -> None:
    files = [attachment.file for attachment in Attachment.objects.filter(complaint=complaint)]
    Attachment.objects.filter(complaint=complaint).delete()

    def remove_files():
        for stored in files:
            stored.storage.delete(stored.name)

    # The rows go with the transaction; the files only once it holds.
    transaction.on_commit(remove_files)


def _anonymise_account(user) -> None:
    former_names = {user.get_username(), normalised_email(user.email)}
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    # django-axes keeps the username of every login attempt. (Their sessions end by themselves: an
    # inactive user with a changed password is logged out on the next request.)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=former_names).delete()


def _run_erasers(erasure: Erasure) -> None:
    for eraser in _erasers:
        eraser(erasure)


def _forget_cache_rows(person: Person) -> None:
    """The database cache's rows whose key holds an address (login-link marks, say)."""
    table = settings.CACHES["default"].get("LOCATION")
    if not table or "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        return
    with connection.cursor() as cursor:
        for email in person.emails:
            cursor.execute(f'DELETE FROM "{table}" WHERE LOWER(cache_key) LIKE %s', [f"%{email}%"])


def expired_complaints(now=None):
    """Closed complaints whose policy's retention period has passed since closing, not yet anonymised."""
    now = now or timezone.now()
    waiting = Complaint.objects.filter(anonymised_at__isnull=True, closed_at__isnull=False).exclude(
        status__in=OPEN_STATUSES
    )
    due = Q(pk__in=[])
    for version in PolicyVersion.objects.filter(pk__in=waiting.values("policy_id")):
        due |= Q(policy=version, closed_at__lt=now - datetime.timedelta(days=version.spec.retention_days))
    return waiting.filter(due)


def anonymise_expired(now=None, *, batch: int = 200) -> int:
    """The retention period (run by the sweep and by `gehoord retention`): anonymise up to `batch`
    expired complaints; returns how many this run anonymised. Safe on several workers at once: each
    complaint is claimed (SKIP LOCKED, `anonymised_at IS NULL`) and one that fails is left for later."""
    done = 0
    for complaint in expired_complaints(now).order_by("closed_at", "pk")[:batch]:
        try:
            done += anonymise(complaint, why=RETENTION)
        except Exception:  # one complaint must not stop the others; the next run tries it again
            logger.exception("anonymising complaint %s failed", complaint.pk)
    return done
