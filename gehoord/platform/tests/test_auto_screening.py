"""The automatic screen in front of the moderator (issue 13): a clean public text is published at
once and the e-mail-only company is mailed; a flagged one waits in the moderator's queue with its
reasons and score; every text is read once, however many workers try.

Carol files her complaints about Bakkerij Brood (an e-mail-only company); Mona moderates.
"""

import io

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gehoord.complaints.tests.test_references import run_at_once
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint, Message, Publication, Visibility
from gehoord.mail.models import OutboundMail
from gehoord.platform import autoscreen, companies, filing
from gehoord.platform.tests.accounts_support import file_platform_complaint, moderator

pytestmark = pytest.mark.django_db

CLEAN = "Het brood was beschimmeld en de bakker wil niets vergoeden. Waardeloos!"
INSULTING = "Die klootzak achter de toonbank lachte me uit."
WORKERS = 4


def file_committed(bakery, description, capture, *, public=True):
    """File as the portal does: the screening task runs once the filing commits."""
    with capture(execute=True):
        complaint = file_platform_complaint(bakery, public=public, description=description)
    complaint.refresh_from_db()
    return complaint


def unread_complaint(bakery, description):
    """A public platform complaint filed without the filing's screening task: as one the task missed."""
    filing.procedure_for(bakery)
    new = NewComplaint(
        description=description, contact_name="Carol de Vries", contact_email="carol@example.nl",
        visibility=Visibility.PUBLIC, platform=True,
    )
    return file_complaint(bakery, new, channel=Channel.WEB, by=Actor.system())


def reply(complaint, body, *, screening=None):
    return Message.objects.create(
        complaint=complaint, kind=Message.Kind.COMPANY, channel=Channel.EMAIL, author_name="Bakkerij Brood",
        body=body, created_at=timezone.now(), publication=Publication.PENDING, screening=screening,
    )


def sweep():
    call_command("sweep", stdout=io.StringIO(), stderr=io.StringIO())


def auto_screened(complaint):
    return list(complaint.events.filter(kind=EventKind.AUTO_SCREENED).values_list("actor_kind", "data"))


def test_a_clean_complaint_is_published_at_once_and_mailed_to_the_company(
    bakery, django_capture_on_commit_callbacks
):
    complaint = file_committed(bakery, CLEAN, django_capture_on_commit_callbacks)

    assert complaint.publication == Publication.PUBLISHED
    assert complaint.screening == {"score": 0, "flagged": False, "reasons": []}
    assert auto_screened(complaint) == [
        ("system", {"flagged": False, "score": 0, "reasons": [], "message_id": None})
    ]
    assert list(complaint.events.filter(kind=EventKind.SCREENED).values_list("actor_kind", "data")) == [
        ("system", {"decision": "published"})
    ]
    assert list(Complaint.objects.public()) == [complaint]
    assert OutboundMail.objects.filter(complaint=complaint, kind="company_complaint").count() == 1
    assert any(message.to == ["klachten@bakkerij-brood.example"] for message in django_mail.outbox)


def test_a_flagged_complaint_waits_for_a_moderator_with_its_reasons(bakery, django_capture_on_commit_callbacks):
    complaint = file_committed(bakery, INSULTING, django_capture_on_commit_callbacks)

    assert complaint.publication == Publication.PENDING
    assert complaint.screening["flagged"] is True
    assert complaint.screening["reasons"] == [{"class": "insult", "found": "klootzak"}]
    assert auto_screened(complaint)[0][1]["flagged"] is True
    assert not complaint.events.filter(kind=EventKind.SCREENED).exists()
    assert not Complaint.objects.public().exists()
    # The company hears of it once a moderator has decided, as before.
    assert not OutboundMail.objects.filter(complaint=complaint, kind="company_complaint").exists()


def test_a_private_complaint_is_not_screened(bakery, django_capture_on_commit_callbacks):
    complaint = file_committed(bakery, INSULTING, django_capture_on_commit_callbacks, public=False)

    assert complaint.publication == Publication.PRIVATE and complaint.screening is None
    assert auto_screened(complaint) == []


def test_the_sweep_reads_the_replies_published_with_a_clean_one_and_a_flagged_one_waiting(
    bakery, django_capture_on_commit_callbacks
):
    complaint = file_committed(bakery, CLEAN, django_capture_on_commit_callbacks)
    clean = reply(complaint, "Wij sturen u een nieuw brood.\nMet vriendelijke groet,\nBakkerij Brood")
    flagged = reply(complaint, "Bel me op 06-12345678, dan regelen we het.")

    sweep()
    sweep()  # nothing left to read

    clean.refresh_from_db()
    flagged.refresh_from_db()
    assert (clean.publication, clean.screening["flagged"]) == (Publication.PUBLISHED, False)
    assert (flagged.publication, flagged.screening["reasons"]) == (
        Publication.PENDING, [{"class": "personal_data", "found": "phone"}]
    )
    assert [data["message_id"] for _kind, data in auto_screened(complaint)] == [None, clean.pk, flagged.pk]
    assert "06-12345678" not in str(auto_screened(complaint))


def test_an_answer_on_the_company_dashboard_is_screened_once_it_is_sent(bakery, django_capture_on_commit_callbacks):
    complaint = file_committed(bakery, CLEAN, django_capture_on_commit_callbacks)
    client = Client(headers={"Accept-Language": "en"})
    client.post(f"/bedrijf/link/{companies.login_token(bakery)}/")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bedrijf/klachten/{complaint.public_id}/", {"body": "Wij sturen u een nieuw brood."})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bedrijf/klachten/{complaint.public_id}/", {"body": "Wat een zeurkous, die klant. Idioot."})

    clean, flagged = Message.objects.filter(complaint=complaint).order_by("created_at", "pk")
    assert (clean.publication, flagged.publication) == (Publication.PUBLISHED, Publication.PENDING)
    assert flagged.screening["reasons"] == [{"class": "insult", "found": "idioot"}]


def test_a_text_already_read_or_decided_is_left_alone(bakery, django_capture_on_commit_callbacks):
    complaint = file_committed(bakery, INSULTING, django_capture_on_commit_callbacks)

    assert autoscreen.screen_complaint(complaint.pk) is False
    assert autoscreen.screen_due() == 0
    assert len(auto_screened(complaint)) == 1


def test_the_queue_shows_flagged_texts_first_with_reasons_and_unread_ones_marked(
    bakery, django_capture_on_commit_callbacks
):
    unread = unread_complaint(bakery, "Nog niet gelezen.")
    flagged = file_committed(bakery, INSULTING, django_capture_on_commit_callbacks)
    published = file_committed(bakery, CLEAN, django_capture_on_commit_callbacks)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(moderator())

    page = client.get(reverse("moderation:screening")).content.decode()

    assert page.index(flagged.reference) < page.index(unread.reference)
    assert published.reference not in page
    assert "klootzak" in page and "insult" in page and "score 0.5" in page
    assert "Not screened automatically yet." in page


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need row locks")
@pytest.mark.django_db(transaction=True)
def test_workers_screening_the_same_texts_at_once_read_each_once(bakery):
    complaints = [unread_complaint(bakery, CLEAN if n % 2 else INSULTING) for n in range(8)]
    results = []

    def worker(_number):
        results.append([autoscreen.screen_complaint(complaint.pk) for complaint in complaints] + [autoscreen.screen_due()])

    assert run_at_once(WORKERS, worker) == []
    assert sum(sum(result) for result in results) == len(complaints)
    for complaint in complaints:
        complaint.refresh_from_db()
        assert complaint.events.filter(kind=EventKind.AUTO_SCREENED).count() == 1
        clean = complaint.description == CLEAN
        assert complaint.publication == (Publication.PUBLISHED if clean else Publication.PENDING)
        assert complaint.events.filter(kind=EventKind.SCREENED).count() == (1 if clean else 0)
        assert OutboundMail.objects.filter(complaint=complaint, kind="company_complaint").count() == (1 if clean else 0)
