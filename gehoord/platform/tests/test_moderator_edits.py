"""A moderator edits (redacts) a text for publication (issue 13): the public pages and the public
API show the edited version, the parties keep seeing what was written.

Mona, a moderator, screens Carol's public complaint about Bakkerij Brood and the bakery's reply.
"""

import pytest
from django.utils import timezone

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Channel, Event, Message, Publication
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.platform import public
from gehoord.platform.tests.accounts_support import file_platform_complaint

pytestmark = pytest.mark.django_db

INSULTING = "Het brood was beschimmeld. De bakker is een oplichter en een idioot."
EDITED = "Het brood was beschimmeld. De bakker is [verwijderd door de moderator]."


@pytest.fixture
def carols_complaint(bakery):
    return file_platform_complaint(bakery, public=True, description=INSULTING)


def edits(complaint):
    return list(Event.objects.filter(complaint=complaint, kind="text_edited").values_list("actor_label", "data"))


def test_the_public_sees_the_edit_and_the_parties_the_text_as_written(client, carols_complaint, as_mona):
    actions.perform("edit_public_text", carols_complaint, by=as_mona, field="description", text=EDITED)
    actions.perform("publish", carols_complaint, by=as_mona)

    carols_complaint.refresh_from_db()
    assert carols_complaint.description == INSULTING
    assert public.PublishedComplaint.of(carols_complaint).description == EDITED
    assert edits(carols_complaint) == [("Mona", {"field": "description"})]
    page = client.get(f"/klachten/{carols_complaint.public_id}/").content.decode()
    api = client.get(f"/api/v1/public/complaints/{carols_complaint.public_id}").json()
    assert "idioot" not in page and EDITED in page
    assert api["description"] == EDITED


def test_an_edited_text_is_still_redacted(carols_complaint, as_mona):
    actions.perform(
        "edit_public_text", carols_complaint, by=as_mona, field="desired_solution", text="Bel mij op 06-12345678."
    )
    carols_complaint.refresh_from_db()

    assert "12345678" not in public.PublishedComplaint.of(carols_complaint).desired_solution


def test_a_published_complaint_can_be_edited_afterwards(carols_complaint, as_mona):
    actions.perform("publish", carols_complaint, by=as_mona)
    actions.perform("edit_public_text", carols_complaint, by=as_mona, field="description", text=EDITED)

    carols_complaint.refresh_from_db()
    assert (carols_complaint.publication, public.PublishedComplaint.of(carols_complaint).description) == (
        Publication.PUBLISHED, EDITED
    )


def test_a_reply_is_edited_for_the_public_only(carols_complaint, as_mona):
    actions.perform("publish", carols_complaint, by=as_mona)
    answer = Message.objects.create(
        complaint=carols_complaint, kind=Message.Kind.COMPANY, channel=Channel.EMAIL, author_name="Bakkerij Brood",
        body="Excuses. Groet, Piet Bakker, 06-98765432", created_at=timezone.now(), publication=Publication.PENDING,
    )

    actions.perform("edit_public_text", carols_complaint, by=as_mona, field="body", text="Excuses.", message_id=answer.pk)
    actions.perform("publish_reply", carols_complaint, by=as_mona, message_id=answer.pk)

    answer.refresh_from_db()
    assert answer.body == "Excuses. Groet, Piet Bakker, 06-98765432"
    assert [reply.body for reply in public.replies_of(carols_complaint)] == ["Excuses."]
    assert edits(carols_complaint) == [("Mona", {"field": "body", "message_id": answer.pk})]


def test_a_bad_edit_changes_nothing(carols_complaint, as_mona):
    for arguments in (
        {"field": "description", "text": "  "},
        {"field": "contact_email", "text": "x@example.nl"},
        {"field": "body", "text": "Geen bericht."},  # a reply's body needs its message
        {"field": "description", "text": "x" * 20_001},
    ):
        with pytest.raises(InvalidInput):
            actions.perform("edit_public_text", carols_complaint, by=as_mona, **arguments)
    with pytest.raises(ActionNotAllowed):
        actions.perform("edit_public_text", carols_complaint, by=as_mona, field="body", text="Ja.", message_id=999999)

    carols_complaint.refresh_from_db()
    assert (carols_complaint.screening, edits(carols_complaint)) == (None, [])


def test_a_private_or_withheld_complaint_is_not_edited_for_publication(bakery, carols_complaint, as_mona):
    private = file_platform_complaint(bakery, public=False)
    actions.perform("withhold", carols_complaint, by=as_mona, reason="insult")

    for complaint in (private, carols_complaint):
        with pytest.raises(ActionNotAllowed):
            actions.perform("edit_public_text", complaint, by=as_mona, field="description", text=EDITED)


def test_nobody_but_a_moderator_edits(carols_complaint, bakery):
    for actor in (Actor.consumer(carols_complaint), Actor.company(bakery), Actor.system()):
        with pytest.raises(NotPermitted):
            actions.perform("edit_public_text", carols_complaint, by=actor, field="description", text=EDITED)
