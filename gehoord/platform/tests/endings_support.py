"""Helpers for the tests of closing, legal aid and the dossier: an e-mail-only company of the
platform, a consumer account (a subscriber or not), and a platform complaint filed days ago."""

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from conftest import make_organisation
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Complaint, Visibility
from gehoord.organisations.models import ConsumerAccount, PlatformMembership, PlatformRole


def email_only_company(slug="zeepwinkel", **fields):
    """A company of the registry that answers by e-mail, under the platform's procedure."""
    return make_organisation(slug, preset="platform", connected=False, **fields)


def consumer_account(username="sanne", *, subscriber=True):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.nl", password="secret-pass-123", first_name=username.capitalize()
    )
    ConsumerAccount.objects.create(user=user, subscriber=subscriber, email_verified_at=timezone.now())
    return user


def legal_advisor(username="lotte"):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@platform.example", password="secret-pass-123", first_name=username.capitalize()
    )
    PlatformMembership.objects.create(user=user, role=PlatformRole.LEGAL_ADVISOR)
    return user


def platform_complaint(company, *, consumer=None, days_ago=0, uploads=(), **fields) -> Complaint:
    """A complaint filed on the platform `days_ago` days ago, through the real intake."""
    values = dict(
        description="De zeep gaf uitslag en de winkel reageert niet.",
        contact_name="Sanne Jansen",
        contact_email=consumer.email if consumer else "sanne@example.nl",
        visibility=Visibility.PUBLIC,
    )
    values.update(fields)
    complaint = file_complaint(
        company, NewComplaint(**values), channel="web", by=Actor.system(), uploads=list(uploads),
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    # Filing on the platform (its own door) marks these two; the actions tested here only read them.
    Complaint.objects.filter(pk=complaint.pk).update(platform=True, consumer=consumer)
    complaint.refresh_from_db()
    return complaint


def open_tracking_page(client, complaint) -> None:
    """The consumer opens their complaint with its reference and address."""
    page = client.post(reverse("portal:track"), {"reference": complaint.reference, "email": complaint.contact_email})
    assert page.status_code == 302
