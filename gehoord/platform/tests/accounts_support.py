"""Personas of the platform's accounts, filing and screening tests.

Carol is a consumer with a verified account; Mona a moderator of the platform; "Bakkerij Brood" an
e-mail-only company in the registry (no policy yet, as a consumer-added entry may be); "Acme" a
connected company (the root conftest's `acme`, a tenant with staff).
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint
from gehoord.complaints.models import ActorKind, Visibility
from gehoord.organisations.models import ConsumerAccount, Organisation, PlatformMembership, PlatformRole
from gehoord.platform import filing

PASSWORD = "brood-en-spelen-2026"


def email_only_company(slug="bakkerij-brood", name="Bakkerij Brood") -> Organisation:
    return Organisation.objects.create(
        name=name, slug=slug, complaint_email=f"klachten@{slug}.example", connected=False, language="nl",
    )


def consumer(email="carol@example.nl", name="Carol", *, verified=True, language="nl", subscriber=False):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, first_name=name)
    ConsumerAccount.objects.create(
        user=user, language=language, subscriber=subscriber, email_verified_at=timezone.now() if verified else None
    )
    return user


def moderator(username="mona"):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@platform.example", password=PASSWORD, first_name=username.capitalize()
    )
    PlatformMembership.objects.create(user=user, role=PlatformRole.MODERATOR)
    return user


def file_platform_complaint(
    organisation, *, public=True, user=None, description="Het brood was beschimmeld.", category=""
):
    new = NewComplaint(
        description=description,
        category=category,
        contact_name="Carol de Vries",
        contact_email=user.email if user else "carol@example.nl",
        visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
    )
    by = Actor(kind=ActorKind.CONSUMER, label="Carol de Vries", organisation_id=organisation.pk)
    return filing.file_on_platform(organisation, new, by=by, consumer=user)
