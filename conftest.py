"""Shared fixtures: two organisations and the named personas of the house style.

Carol is the consumer; Alice an agent, Manon the complaint manager, Bert a board member and
Ada the company admin of "Acme"; Oscar is staff of another organisation ("Other").
"""

import pytest
from django.contrib.auth import get_user_model

from gehoord.organisations.models import ApiToken
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.organisations.models import Category, CategoryField, FieldType, Membership, Organisation, Role
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS


def make_staff(organisation, username, *roles, first_name=""):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@{organisation.slug}.example", password="secret-pass-123",
        first_name=first_name or username.capitalize(),
    )
    for role in roles:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_organisation(slug, preset="vxhome", **fields):
    organisation = Organisation.objects.create(
        name=fields.pop("name", slug.capitalize()), slug=slug, complaint_email=f"klachten@{slug}.example", **fields
    )
    PolicyVersion.publish(organisation, PRESETS[preset], preset=preset)
    return organisation


@pytest.fixture
def acme(db):
    organisation = make_organisation("acme", preset="vxhome")
    product = Category.objects.create(organisation=organisation, slug="product", name="Product")
    CategoryField.objects.create(
        category=product, key="serial_number", label="Serial number", field_type=FieldType.SERIAL,
        required=True, pattern=r"SN-\d{4}",
    )
    Category.objects.create(organisation=organisation, slug="delivery", name="Delivery")
    return organisation


@pytest.fixture
def other(db):
    return make_organisation("other", preset="welzo", country="GB", time_zone="Europe/London")


@pytest.fixture
def alice(acme):
    return make_staff(acme, "alice", Role.AGENT, first_name="Alice")


@pytest.fixture
def manon(acme):
    return make_staff(acme, "manon", Role.MANAGER, first_name="Manon")


@pytest.fixture
def bert(acme):
    return make_staff(acme, "bert", Role.BOARD, first_name="Bert")


@pytest.fixture
def ada(acme):
    return make_staff(acme, "ada", Role.ADMIN, first_name="Ada")


@pytest.fixture
def oscar(other):
    return make_staff(other, "oscar", Role.AGENT, Role.MANAGER, first_name="Oscar")


@pytest.fixture
def as_alice(acme, alice):
    return Actor.staff(alice, acme)


@pytest.fixture
def as_manon(acme, manon):
    return Actor.staff(manon, acme)


@pytest.fixture
def as_bert(acme, bert):
    return Actor.staff(bert, acme)


@pytest.fixture
def as_oscar(other, oscar):
    return Actor.staff(oscar, other)


def carol_complaint(organisation, **overrides):
    """Carol's complaint at `organisation`, filed through the real intake."""
    values = dict(
        description="De boxspring kwam beschadigd aan.",
        contact_name="Carol de Vries",
        contact_email="carol@example.nl",
        category="delivery" if organisation.categories.filter(slug="delivery").exists() else "",
    )
    values.update(overrides)
    channel = values.pop("channel", "web")
    uploads = values.pop("uploads", [])
    return file_complaint(organisation, NewComplaint(**values), channel=channel, by=Actor.system(), uploads=uploads)


@pytest.fixture
def complaint(acme):
    return carol_complaint(acme)


@pytest.fixture
def acme_token(acme):
    _token, plaintext = ApiToken.issue(acme, "acme integration")
    return plaintext


@pytest.fixture
def other_token(other):
    _token, plaintext = ApiToken.issue(other, "other integration")
    return plaintext
