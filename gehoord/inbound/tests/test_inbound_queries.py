"""A consumer's reply costs a fixed, small number of queries, as a door and the worker run it.

Every query is half a millisecond to a millisecond of Python on a small machine: the pipeline's
throughput is its query count. Carol answers the acknowledgement of her complaint at Acme.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gehoord.complaints.models import Message
from gehoord.inbound import pipeline
from gehoord.mail.models import OutboundMail
from gehoord.mail.tests.support import make_mail

# Outside a test's transaction, as in production: the door's INSERT commits on its own.
pytestmark = pytest.mark.django_db(transaction=True)

# The INSERT of the raw bytes, alone.
STORE_QUERIES = 1
# BEGIN; the row, locked; our mails in the thread with their complaint (the match, in one query);
# clearing the sender's failing address; actions.add_message (a savepoint, the complaint locked,
# the message, its event, the staff to notify of it (none at this Acme), the release); the row's
# outcome; COMMIT.
PROCESS_QUERIES = 12


def test_a_reply_to_our_mail_is_stored_in_one_query_and_processed_in_twelve(complaint):
    acknowledgement = OutboundMail.objects.get(complaint=complaint, kind="acknowledgement")
    raw = make_mail(subject=f"Re: [{complaint.reference}] Uw klacht", body="Wanneer komt de monteur?",
                    in_reply_to=acknowledgement.message_id)

    with CaptureQueriesContext(connection) as storing:
        received = pipeline.receive(raw, source="smtp", enqueue=False)
    with CaptureQueriesContext(connection) as processing:
        state = pipeline.process(received.inbound.pk)

    assert state == "done"
    assert Message.objects.get(complaint=complaint, kind=Message.Kind.CONSUMER).body == "Wanneer komt de monteur?"
    assert len(storing) <= STORE_QUERIES, [query["sql"] for query in storing.captured_queries]
    assert len(processing) <= PROCESS_QUERIES, [query["sql"] for query in processing.captured_queries]
