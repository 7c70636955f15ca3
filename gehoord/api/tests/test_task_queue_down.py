"""A task queue out of reach (the broker down) at the moment a filing commits: the client still gets
its answer, since the complaint and its mail are stored, and the sweep hands the mail on once the
queue is back. Without this, the client saw a 500 for a complaint that was filed, and filed it again."""

import datetime

import pytest
from django.core import mail as sent_mail
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend

from gehoord.api.tests.conftest import carol_payload
from gehoord.complaints.models import Complaint
from gehoord.mail.models import OutboundMail
from gehoord.mail.tasks import LOST_AFTER, requeue_due

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


class UnreachableQueue(ImmediateBackend):
    """Stands in for a broker that refuses connections: every enqueue fails."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionRefusedError("the task queue is out of reach")


@pytest.mark.django_db(transaction=True)
def test_a_filing_while_the_task_queue_is_down_is_answered_and_its_mail_goes_out_later(
    acme_api, acme, settings, time_machine
):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.UnreachableQueue", "QUEUES": []}}

    response = acme_api.post("/complaints", carol_payload())

    assert response.status_code == 201
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    queued = list(OutboundMail.objects.filter(complaint=complaint).values_list("state", flat=True))
    assert queued and set(queued) == {OutboundMail.State.QUEUED}
    assert sent_mail.outbox == []

    settings.TASKS = IMMEDIATE
    time_machine.move_to(timezone.now() + LOST_AFTER + datetime.timedelta(minutes=1), tick=False)
    assert requeue_due() == len(queued)
    assert set(OutboundMail.objects.filter(complaint=complaint).values_list("state", flat=True)) == {OutboundMail.State.SENT}
    assert complaint.contact_email in [address for message in sent_mail.outbox for address in message.to]
