"""The company registry (seed 004): search it, add a missing company, edit, verify and merge entries.

Every door (the consumer's pages, the moderators' pages, a company's own dashboard) calls these
functions; none writes an organisation's registry fields itself. Searches compare the keys of
organisations/registry_keys.py, which Organisation.save keeps beside the fields they come from.
"""

import dataclasses
import functools
import ipaddress

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gehoord.complaints import events
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Event, EventKind
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations.models import Category, Language, Organisation
from gehoord.organisations.registry_keys import core_name, fold_name, registry_key, web_host
from gehoord.platform.models import CompanyMonth, CompanyScore
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS

# A name search shorter than this matches name prefixes only: a "contains" of one or two letters
# matches nearly everything and no index helps it.
MIN_CONTAINS_LENGTH = 3
MAX_QUERY_LENGTH = 200
# The paths under /bedrijven/ that are pages, not companies: no slug may take one.
RESERVED_SLUGS = frozenset({"toevoegen", "zoeken", "inloggen", "login", "dashboard", "nieuw", "klacht"})
SLUG_LENGTH = 50
MERGE_BATCH = 2000

COUNTRIES = {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg",
             "DE": "Europe/Berlin", "FR": "Europe/Paris", "GB": "Europe/London"}


class MergeRefused(DomainError):
    code = "merge_refused"
    status = 409


@dataclasses.dataclass(frozen=True)
class CompanyDetails:
    """A company's registry fields as typed by a consumer or a moderator."""

    name: str
    complaint_email: str
    website: str = ""
    registration_number: str = ""
    country: str = "NL"
    contact_person: str = ""


# Search


def _query_keys(text: str) -> tuple[str, str, str]:
    """(folded name, registry id, host) of what was typed. A website is searched by its host, and by
    name only as far as its host goes (not "https www ... contact")."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    host = web_host(text) if "." in text and not any(char.isspace() for char in text) else ""
    return fold_name(host or text), registry_key(text), host


def _exact(registry_id: str, host: str) -> Q:
    exact = Q(pk__in=[])
    if registry_id:
        exact |= Q(search_registry_id=registry_id)
    if host:
        exact |= Q(search_host=host)
    return exact


def _ranked(queryset: QuerySet, name: str, registry_id: str, host: str, *, loose_name: Q | None = None) -> QuerySet:
    """The entries of `queryset` matching the keys in one query: an exact registry id or host first
    (rank 0), then names starting with `name` (1), then names containing it (2). It sorts every hit:
    for short lists (a moderator's, the duplicates); `search` pages through large ones."""
    exact = _exact(registry_id, host)
    prefix = Q(search_name__startswith=name) if name else Q(pk__in=[])
    contains = Q(search_name__contains=name) if len(name) >= MIN_CONTAINS_LENGTH else Q(pk__in=[])
    if loose_name is not None:
        contains |= loose_name
    whens = [When(exact, then=Value(0))] if (registry_id or host) else []
    if name:
        whens.append(When(prefix, then=Value(1)))
    return (
        queryset.filter(exact | prefix | contains)
        .annotate(rank=Case(*whens, default=Value(2), output_field=IntegerField()))
        .order_by("rank", "search_name", "pk")
    )


class RankedResults:
    """A search's hits in rank order, sliced for a Paginator without sorting every hit: each rank
    (exact id or host, name prefix, name contains) is its own query in name order, which PostgreSQL
    answers from an index (organisations migration 0006), and each is counted up to COUNT_CAP."""

    COUNT_CAP = 1000

    def __init__(self, ranks: list[QuerySet]):
        self.ranks = [rank.order_by("search_name", "pk") for rank in ranks]

    @functools.cached_property
    def _counts(self) -> list[int]:
        return [rank.order_by()[: self.COUNT_CAP].count() for rank in self.ranks]

    def count(self) -> int:
        return min(sum(self._counts), self.COUNT_CAP)

    @property
    def capped(self) -> bool:
        return sum(self._counts) >= self.COUNT_CAP

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Organisation]:
        start, wanted = window.start or 0, (window.stop if window.stop is not None else self.count()) - (window.start or 0)
        found: list[Organisation] = []
        for rank, counted in zip(self.ranks, self._counts, strict=True):
            if wanted <= len(found):
                break
            if start >= counted:
                start -= counted
                continue
            found += rank[start : min(counted, start + wanted - len(found))]
            start = 0
        return found

    def __iter__(self):
        return iter(self[: self.count()])


def search(text: str) -> RankedResults:
    """The registry's entries for what a consumer typed (a name, a registry id or a website), best first."""
    name, registry_id, host = _query_keys(text)
    entries = Organisation.objects.in_registry()
    exact = _exact(registry_id, host)
    prefix = Q(search_name__startswith=name) if name else Q(pk__in=[])
    contains = Q(search_name__contains=name) if len(name) >= MIN_CONTAINS_LENGTH else Q(pk__in=[])
    return RankedResults([
        entries.filter(exact),
        entries.filter(prefix).exclude(exact),
        entries.filter(contains).exclude(exact).exclude(prefix),
    ])


def for_moderators(text: str) -> QuerySet:
    """The entries a moderator works through: unverified first, then as `search` ranks them."""
    name, registry_id, host = _query_keys(text)
    if not (name or registry_id or host):
        return Organisation.objects.in_registry().order_by("verified", "search_name", "pk")
    return _ranked(Organisation.objects.in_registry(), name, registry_id, host).order_by(
        "verified", "rank", "search_name", "pk"
    )


def likely_duplicates(details: CompanyDetails, *, limit: int = 5) -> list[Organisation]:
    """Entries that may be the company `details` describes: the same website host or registry id,
    or a similar name (the same name without its legal form, or the same first word)."""
    core = core_name(details.name)
    first_word = core.split(" ", 1)[0]
    similar = Q(search_name__startswith=first_word) if len(first_word) >= 4 else None
    found = _ranked(
        Organisation.objects.in_registry(), core, registry_key(details.registration_number),
        web_host(details.website), loose_name=similar,
    )
    return list(found[:limit]) if core or details.registration_number or details.website else []


# Adding and editing


def _validated(details: CompanyDetails) -> CompanyDetails:
    """`details` tidied, or InvalidInput naming every field that is wrong."""
    errors = {}
    name = " ".join((details.name or "").split())
    if not fold_name(name):
        errors["name"] = _("Give the company's name.")
    elif len(name) > 200:
        errors["name"] = _("At most %(limit)d characters.") % {"limit": 200}
    email = (details.complaint_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["complaint_email"] = _("Enter a valid e-mail address.")
    else:
        # The platform mails complaints to this address: an IP literal or a bare host name would
        # reach only our own network.
        domain = email.rpartition("@")[2]
        if domain.startswith("[") or "." not in domain or _is_ip(domain):
            errors["complaint_email"] = _("Enter an e-mail address with a domain name, such as klachten@example.nl.")
    website = (details.website or "").strip()
    if website:
        if "://" not in website:
            website = "https://" + website
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = _("Enter a website address, such as www.example.nl.")
        else:
            if len(website) > 200 or not web_host(website) or _is_ip(web_host(website)):
                errors["website"] = _("Enter a website address, such as www.example.nl.")
    registration_number = " ".join((details.registration_number or "").split())
    if registration_number and (len(registration_number) > 40 or not registry_key(registration_number)):
        errors["registration_number"] = _(
            "Enter the registry number (KvK, KBO or Companies House), such as 12345678 or BE 0403.170.701."
        )
    if details.country not in COUNTRIES:
        errors["country"] = _("Choose a country from the list.")
    contact_person = " ".join((details.contact_person or "").split())
    if len(contact_person) > 200:
        errors["contact_person"] = _("At most %(limit)d characters.") % {"limit": 200}
    if errors:
        raise InvalidInput(errors)
    return CompanyDetails(
        name=name, complaint_email=email, website=website, registration_number=registration_number,
        country=details.country, contact_person=contact_person,
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _slug_base(name: str) -> str:
    base = slugify(fold_name(name))[:SLUG_LENGTH].strip("-") or "bedrijf"
    return f"{base}-bedrijf" if base in RESERVED_SLUGS else base


def _free_slug(base: str) -> str:
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    number = 1
    slug = base
    while slug in taken or slug in RESERVED_SLUGS:
        number += 1
        slug = f"{base}-{number}"
    return slug


def add(details: CompanyDetails, *, by) -> Organisation:
    """A new, unverified e-mail-only entry added by the consumer `by`, answering under the platform's
    procedure. Raises InvalidInput when a field is wrong. The same consumer adding the same company
    again (a double click, a reload) gets the entry they added first."""
    details = _validated(details)
    earlier = Organisation.objects.filter(
        added_by=by, search_name=fold_name(details.name), complaint_email=details.complaint_email
    ).first()
    if earlier is not None:
        return earlier
    base = _slug_base(details.name)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    slug=_free_slug(base), added_by=by, connected=False, verified=False,
                    language=Language.ENGLISH if details.country == "GB" else Language.DUTCH,
                    time_zone=COUNTRIES[details.country], **dataclasses.asdict(details),
                )
                PolicyVersion.publish(organisation, PRESETS["platform"], preset="platform")
                return organisation
        except IntegrityError:  # someone took the slug meanwhile
            continue
    raise RuntimeError("Could not find a free slug for a new company")


def edit(organisation: Organisation, details: CompanyDetails, *, verified: bool) -> Organisation:
    """A moderator's correction of an entry's registry fields (its slug and history stay)."""
    details = _validated(details)
    for field, value in dataclasses.asdict(details).items():
        setattr(organisation, field, value)
    organisation.verified = verified
    organisation.save(update_fields=[*dataclasses.asdict(details), "verified"])
    return organisation


def verify(organisation: Organisation) -> None:
    """The entry is confirmed (by a moderator, or by the company itself from its dashboard)."""
    Organisation.objects.filter(pk=organisation.pk).update(verified=True)
    organisation.verified = True


# Merging duplicates


def merge(duplicate: Organisation, into: Organisation, *, by: Actor) -> int:
    """Move every complaint of `duplicate` to `into` and mark the duplicate merged, in one transaction.

    Complaints keep their ids, references, deadlines and timelines; each gets a MOVED event. The
    duplicate's prepared score rows go (the score card is recomputed for the survivor). Returns how
    many complaints moved; raises MergeRefused saying why it cannot be done."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().in_bulk([duplicate.pk, into.pk])
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        _check_merge(duplicate, into)
        now = timezone.now()
        moving = Complaint.objects.filter(organisation=duplicate)
        # A category keeps its meaning where the survivor has one of the same slug.
        for category in Category.objects.filter(organisation=duplicate):
            counterpart = Category.objects.filter(organisation=into, slug=category.slug).first()
            if counterpart is not None:
                moving.filter(category=category).update(category=counterpart)
        moved_event = dict(
            kind=EventKind.MOVED, created_at=now, actor_kind=by.kind, actor=by.user, actor_label=by.label,
            consumer_visible=events.TYPES[EventKind.MOVED].consumer_visible,
            data=events.payload(EventKind.MOVED, {"from_organisation": duplicate.name, "to_organisation": into.name}),
        )
        moved = 0
        # In batches until none is left: a complaint filed meanwhile moves too, with its event.
        while batch := list(moving.values_list("pk", flat=True)[:MERGE_BATCH]):
            Complaint.objects.filter(pk__in=batch).update(organisation=into, team=None, updated_at=now)
            Event.objects.bulk_create(Event(complaint_id=complaint_id, **moved_event) for complaint_id in batch)
            moved += len(batch)
        # Entries merged into the duplicate before now point at the survivor.
        Organisation.objects.filter(merged_into=duplicate).update(merged_into=into)
        duplicate.merged_into = into
        duplicate.save(update_fields=["merged_into"])
        CompanyScore.objects.filter(organisation=duplicate).delete()
        CompanyMonth.objects.filter(organisation=duplicate).delete()
    return moved


def _check_merge(duplicate: Organisation, into: Organisation) -> None:
    if duplicate.pk == into.pk:
        raise MergeRefused(_("An entry cannot be merged into itself."))
    if duplicate.merged_into_id is not None:
        raise MergeRefused(_("%(name)s was merged already.") % {"name": duplicate.name})
    if into.merged_into_id is not None:
        raise MergeRefused(
            _("%(name)s was itself merged into another entry; merge into that one.") % {"name": into.name}
        )
    if duplicate.connected and into.connected:
        raise MergeRefused(
            _("Both entries are connected companies with their own staff and procedure; they cannot be merged.")
        )
    if duplicate.connected:
        raise MergeRefused(
            _("%(name)s is a connected company with its own staff and procedure: merge the other entry into it.")
            % {"name": duplicate.name}
        )
    shared = Complaint.objects.filter(organisation=into, reference__in=Complaint.objects.filter(
        organisation=duplicate).values("reference"))
    if shared.exists():
        raise MergeRefused(
            _("Some complaints of both entries have the same reference (%(reference)s); they cannot share one company.")
            % {"reference": shared.values_list("reference", flat=True).first()}
        )
