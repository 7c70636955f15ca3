"""Filing a platform complaint through intake (seed 004): its publication follows from public or private."""

import pytest
from django.contrib.auth import get_user_model

from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Publication, Visibility
from gehoord.errors import InvalidInput

pytestmark = pytest.mark.django_db


def new(**overrides):
    values = {"description": "Kapot geleverd.", "contact_name": "Carol", "contact_email": "carol@example.nl",
              "category": "delivery", **overrides}
    return NewComplaint(**values)


@pytest.mark.parametrize("platform, visibility, publication", [
    (True, Visibility.PUBLIC, Publication.PENDING),
    (True, Visibility.PRIVATE, Publication.PRIVATE),
    # Only the platform publishes: a company's own form never makes a complaint public.
    (False, Visibility.PUBLIC, Publication.PRIVATE),
    (False, Visibility.PRIVATE, Publication.PRIVATE),
])
def test_a_public_platform_complaint_waits_for_screening_and_nothing_else_does(acme, platform, visibility, publication):
    complaint = file_complaint(acme, new(platform=platform, visibility=visibility), channel=Channel.WEB, by=Actor.system())

    assert (complaint.platform, complaint.visibility, complaint.publication) == (platform, visibility, publication)
    complaint.refresh_from_db()
    assert complaint.publication == publication


def test_the_consumer_account_is_kept_with_the_complaint(acme):
    carol = get_user_model().objects.create_user(username="carol@example.nl", email="carol@example.nl")

    complaint = file_complaint(acme, new(platform=True), channel=Channel.WEB, by=Actor.system(), consumer=carol)

    complaint.refresh_from_db()
    assert complaint.consumer == carol


def test_an_unknown_visibility_is_refused(acme):
    with pytest.raises(InvalidInput) as refused:
        file_complaint(acme, new(platform=True, visibility="published"), channel=Channel.WEB, by=Actor.system())
    assert set(refused.value.errors) == {"visibility"}
