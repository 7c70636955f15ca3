"""What the staff are told about their complaints: the bell in the desk, and a mail where they ask for one.

Fed from the timeline, once, by event kind: `follow_event` sees every event the lifecycle actions
record (complaints.timeline, plugged in when the app is ready) and, in the same transaction,
writes one notification per person concerned, never to the person who caused the event. Those
whose settings ask for it by mail get one through the outbox (outbound.send_staff_notification:
the caps apply, delivery after commit). Who is concerned, per event kind:

- a complaint received: its handler (assigned), its team, else the organisation's first line;
- assigned: the new handler;
- the consumer's answer or evidence, a rejected proposal: the handler, else the complaint managers;
- an escalation: the handler it leaves (when the consumer asked for it) and the staff of the stage
  it arrives at;
- a deadline near: the handler, else the complaint managers; a deadline missed: the handler and the
  complaint managers.

Only people who are still staff of the organisation are told.
"""

from django.db.models import QuerySet
from django.utils import timezone

from gehoord.complaints import lifecycle
from gehoord.complaints.actors import ALL_STAFF_ROLES
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import STAFF_ROLES_BY_STAGE, ActorKind, Complaint, Event, Stage
from gehoord.mail import outbound
from gehoord.mail.models import NotificationKind, NotificationSettings, StaffNotification
from gehoord.organisations.models import Membership, Role, Team

Kind = NotificationKind

# A new complaint in one's team comes often: the bell only, unless a person asks for mail.
DEFAULT_BY_MAIL = frozenset(Kind.values) - {Kind.NEW_COMPLAINT}


class _Staff:
    """The organisation's handling staff with their roles, addresses and mail settings, read in one
    query per event."""

    def __init__(self, organisation_id: int):
        self.roles: dict[int, set[str]] = {}
        self.email: dict[int, str] = {}
        self.by_mail: dict[int, frozenset[str]] = {}
        self.language: dict[int, str] = {}
        memberships = Membership.objects.filter(organisation_id=organisation_id, role__in=ALL_STAFF_ROLES)
        for user_id, role, email, by_mail, language in memberships.values_list(
            "user_id", "role", "user__email", "user__notification_settings__by_mail",
            "user__notification_settings__language",
        ):
            self.roles.setdefault(user_id, set()).add(role)
            self.email[user_id] = email
            # No settings row: the defaults, in the organisation's language.
            self.by_mail[user_id] = DEFAULT_BY_MAIL if by_mail is None else frozenset(by_mail)
            self.language[user_id] = language or ""

    def with_roles(self, roles) -> list[int]:
        return sorted(user_id for user_id, held in self.roles.items() if held & set(roles))

    def only_staff(self, user_ids) -> list[int]:
        return [user_id for user_id in user_ids if user_id in self.roles]


def _responsible(complaint: Complaint, staff: _Staff) -> list[int]:
    """The handler, else every complaint manager."""
    if complaint.handler_id is not None:
        return staff.only_staff([complaint.handler_id])
    return staff.with_roles({Role.MANAGER})


def _received(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    told = [(complaint.handler_id, Kind.ASSIGNED)] if complaint.handler_id else []
    if complaint.team_id is not None:
        members = Team.members.through.objects.filter(team_id=complaint.team_id).order_by("user_id")
        team = staff.only_staff(members.values_list("user_id", flat=True))
    else:
        team = staff.with_roles(STAFF_ROLES_BY_STAGE[Stage.FIRST_LINE])
    return told + [(user_id, Kind.NEW_COMPLAINT) for user_id in team]


def _assigned(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    return [(event.data["handler_id"], Kind.ASSIGNED)] if event.data.get("handler_id") else []


def _consumer_answered(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    if event.actor_kind != ActorKind.CONSUMER:
        return []  # staff recording what the consumer told them by phone: they know already
    return [(user_id, Kind.CONSUMER_ANSWERED) for user_id in _responsible(complaint, staff)]


def _proposal_rejected(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    return [(user_id, Kind.PROPOSAL_REJECTED) for user_id in _responsible(complaint, staff)]


def _escalated(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    # The action has moved the complaint to its new stage (and cleared its handler) by now.
    told = []
    if event.actor_kind == ActorKind.CONSUMER and (previous := event.data.get("previous_handler_id")):
        told.append((previous, Kind.ESCALATION_REQUESTED))
    return told + [(user_id, Kind.ESCALATION_ARRIVED) for user_id in staff.with_roles(lifecycle.stage_roles(complaint))]


def _deadline_near(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    return [(user_id, Kind.DEADLINE_REMINDER) for user_id in _responsible(complaint, staff)]


def _deadline_missed(event: Event, complaint: Complaint, staff: _Staff) -> list[tuple[int, str]]:
    handler = staff.only_staff([complaint.handler_id]) if complaint.handler_id else []
    return [(user_id, Kind.DEADLINE_MISSED) for user_id in handler + staff.with_roles({Role.MANAGER})]


RULES = {
    EventKind.RECEIVED: _received,
    EventKind.ASSIGNED: _assigned,
    EventKind.MESSAGE_ADDED: _consumer_answered,
    EventKind.INFORMATION_RECEIVED: _consumer_answered,
    EventKind.RESOLUTION_REJECTED: _proposal_rejected,
    EventKind.ESCALATED: _escalated,
    EventKind.DEADLINE_REMINDER_SENT: _deadline_near,
    EventKind.DEADLINE_MISSED: _deadline_missed,
}


def follow_event(event: Event, complaint: Complaint) -> list[StaffNotification]:
    """The timeline's follower: the notifications `event` causes, written now (in the event's
    transaction), with their mails recorded in the outbox."""
    rule = RULES.get(event.kind)
    if rule is None or (complaint.platform and not complaint.organisation.connected):
        return []  # an e-mail-only company of the platform has no staff to tell
    staff = _Staff(complaint.organisation_id)
    chosen: dict[int, str] = {}
    for user_id, kind in rule(event, complaint, staff):
        # One notification per person and event (the first reason wins), never to who caused it.
        if user_id in staff.roles and user_id != event.actor_id:
            chosen.setdefault(user_id, kind)
    if not chosen:
        return []
    notifications = StaffNotification.objects.bulk_create(
        StaffNotification(
            recipient_id=user_id, organisation_id=complaint.organisation_id, complaint=complaint, event=event,
            kind=kind, created_at=event.created_at,
        )
        for user_id, kind in chosen.items()
    )
    mailed = []
    for notification in notifications:
        person = notification.recipient_id
        if notification.kind in staff.by_mail[person] and staff.email[person]:
            language = staff.language[person] or complaint.organisation.language
            notification.mail = outbound.send_staff_notification(notification, staff.email[person], language)
            mailed.append(notification)
    if mailed:
        StaffNotification.objects.bulk_update(mailed, ["mail"])
    return notifications


# --- what the desk does with them ---------------------------------------------------------------


def unread_count(user, organisation) -> int:
    """The bell's number: one count on the unread index."""
    return StaffNotification.objects.for_recipient(user, organisation).unread().count()


def listed(user, organisation) -> QuerySet:
    return (
        StaffNotification.objects.for_recipient(user, organisation)
        .select_related("complaint", "event")
        .only("kind", "created_at", "read_at", "complaint__reference", "complaint__status", "event__data")
    )


def mark_read(notification: StaffNotification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        StaffNotification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def mark_all_read(user, organisation) -> int:
    return StaffNotification.objects.for_recipient(user, organisation).unread().update(read_at=timezone.now())


def settings_of(user) -> tuple[frozenset[str], str]:
    """(the kinds that come by mail, the mails' language or "" for the organisation's)."""
    row = NotificationSettings.objects.filter(user=user).first()
    if row is None:
        return DEFAULT_BY_MAIL, ""
    return frozenset(row.by_mail), row.language


def save_settings(user, by_mail, language: str) -> None:
    """Store a person's choices (the kinds by mail, in the order of the kinds; the language or "")."""
    kinds = [kind for kind in Kind.values if kind in set(by_mail)]
    NotificationSettings.objects.update_or_create(user=user, defaults={"by_mail": kinds, "language": language})
