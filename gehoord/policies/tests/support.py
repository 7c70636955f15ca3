"""Helpers for the Django-level deadline tests: one organisation per preset, staffed with the
personas (agent Alice, complaint manager Manon, board member Bert), Carol's complaint filed
through the real intake, and a frozen clock.

The sample complaint of the engine tests (test_presets.py) is used throughout: it arrives on
Monday 21 December 2026 at 10:00 local time, so every term runs over Christmas and New Year.
"""

from dataclasses import dataclass
from datetime import datetime

import time_machine

from conftest import carol_complaint, make_organisation, make_staff
from gehoord.complaints.actors import Actor
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Role
from gehoord.policies.models import PolicyVersion

RECEIVED_NL = "2026-12-21T10:00+01:00"
RECEIVED_LONDON = "2026-12-21T10:00+00:00"

# Each preset's organisation lives where its policy's calendar does, so its mail speaks of the
# same local days as its deadlines.
ORGANISATION_FIELDS = {
    "vxhome": {"country": "NL", "time_zone": "Europe/Amsterdam", "language": "nl"},
    "webshop-board": {"country": "GB", "time_zone": "Europe/London", "language": "en"},
    "welzo": {"country": "GB", "time_zone": "Europe/London", "language": "en"},
    "inverter": {"country": "NL", "time_zone": "Europe/Amsterdam", "language": "nl"},
}
RECEIVED = {"vxhome": RECEIVED_NL, "webshop-board": RECEIVED_LONDON, "welzo": RECEIVED_LONDON, "inverter": RECEIVED_NL}


def at(text: str) -> datetime:
    """An aware instant from ISO 8601 text with its offset (or Z)."""
    instant = datetime.fromisoformat(text)
    assert instant.utcoffset() is not None, f"{text} needs an offset"
    return instant


def travel(text: str):
    """Freeze the clock at `text`; `.move_to(instant)` on the result moves it."""
    return time_machine.travel(at(text), tick=False)


@dataclass
class Company:
    """An organisation on one preset with its staff."""

    organisation: object
    alice: object
    manon: object
    bert: object

    @property
    def as_alice(self) -> Actor:
        return Actor.staff(self.alice, self.organisation)

    @property
    def as_manon(self) -> Actor:
        return Actor.staff(self.manon, self.organisation)

    @property
    def as_bert(self) -> Actor:
        return Actor.staff(self.bert, self.organisation)

    def file(self, **overrides):
        """Carol's complaint, filed now through the real intake."""
        defaults = {}
        if self.organisation.language == "en":
            defaults["contact_language"] = "en"
        if PolicyVersion.objects.current(self.organisation).spec.order_number_is_reference:
            defaults["order_number"] = "WB-1001"
        return carol_complaint(self.organisation, **(defaults | overrides))


def make_company(preset: str, slug: str | None = None) -> Company:
    slug = slug or preset
    organisation = make_organisation(slug, preset=preset, **ORGANISATION_FIELDS[preset])
    return Company(
        organisation=organisation,
        alice=make_staff(organisation, f"alice-{slug}", Role.AGENT, first_name="Alice"),
        manon=make_staff(organisation, f"manon-{slug}", Role.MANAGER, first_name="Manon"),
        bert=make_staff(organisation, f"bert-{slug}", Role.BOARD, first_name="Bert"),
    )


def mails(kind: str | None = None, **filters) -> list[OutboundMail]:
    rows = OutboundMail.objects.order_by("created_at", "id")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.filter(**filters))
