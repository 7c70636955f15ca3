"""Who performs an action: a consumer with the tracking credential, staff, an API token, or the system."""

from dataclasses import dataclass, field

from gehoord.complaints.models import ActorKind, Channel, Complaint
from gehoord.organisations.models import Membership, Organisation, Role

ALL_STAFF_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.BOARD})


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    user: object | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # Staff and tokens act for one organisation; a consumer for one complaint.
    organisation_id: int | None = None
    complaint_id: int | None = None
    # How a consumer's words reach us (a message's channel): the web by default.
    channel: str = Channel.WEB

    @classmethod
    def system(cls) -> "Actor":
        return cls(kind=ActorKind.SYSTEM, label="Gehoord")

    @classmethod
    def consumer(cls, complaint: Complaint, via: str = "", channel: str = Channel.WEB) -> "Actor":
        """The complainant; `via` names the way they reach us in the timeline, `channel` files it."""
        label = complaint.contact_name or complaint.contact_email
        return cls(
            kind=ActorKind.CONSUMER,
            label=f"{label} ({via})" if via else label,
            organisation_id=complaint.organisation_id,
            complaint_id=complaint.pk,
            channel=channel,
        )

    @classmethod
    def staff(cls, user, organisation: Organisation) -> "Actor":
        roles = frozenset(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))
        return cls(
            kind=ActorKind.STAFF,
            label=user.get_full_name() or user.get_username(),
            user=user,
            roles=roles,
            organisation_id=organisation.pk,
        )

    @classmethod
    def api(cls, token_name: str, organisation_id: int) -> "Actor":
        """An organisation's own integration: it may do what any of its staff may do."""
        return cls(kind=ActorKind.API, label=f"API: {token_name}", roles=ALL_STAFF_ROLES, organisation_id=organisation_id)

    @classmethod
    def company(cls, organisation: Organisation, via: str = "") -> "Actor":
        """An e-mail-only company answering (by mail or from its dashboard): not its staff."""
        return cls(
            kind=ActorKind.COMPANY,
            label=f"{organisation.name} ({via})" if via else organisation.name,
            organisation_id=organisation.pk,
            channel=Channel.EMAIL if via else Channel.WEB,
        )

    @classmethod
    def moderator(cls, user) -> "Actor":
        """A moderator of the platform: acts on platform complaints of any company."""
        return cls(kind=ActorKind.MODERATOR, label=user.get_full_name() or user.get_username(), user=user)

    @property
    def handles_complaints(self) -> bool:
        """Works the queue (agent, manager, board): a company admin alone keeps the settings."""
        return bool(self.roles & ALL_STAFF_ROLES)

    @property
    def is_staff_side(self) -> bool:
        return self.kind in (ActorKind.STAFF, ActorKind.API)

    def acts_for(self, complaint: Complaint) -> bool:
        if self.kind == ActorKind.SYSTEM:
            return True
        if self.kind == ActorKind.CONSUMER:
            return self.complaint_id == complaint.pk
        if self.kind == ActorKind.MODERATOR:
            return complaint.platform
        return self.organisation_id == complaint.organisation_id
