"""The loop breaker for complaints opened by mail: at most so many an hour at one organisation,
from all senders together (GEHOORD_MAIL_COMPLAINTS_PER_HOUR) and from one sender domain
(GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR).

A robot that answers our acknowledgement from a new address each time escapes the daily limit
per address (mail.outbound); without these caps it opened a complaint, and got an
acknowledgement, every round. Past a cap the pipeline puts the mail in triage.

Each mail that would open a complaint counts, whether the filing then succeeds or not. The count
is made inside the processing transaction, so processing that fails and is rolled back counts
nothing.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from gehoord.mail.models import ComplaintsByMailCount

# Why a mail waits in triage (see pipeline): stored in English, shown translated.
ORGANISATION_CAP_REACHED = gettext_noop("the hourly limit of new complaints by mail is reached")
SENDER_DOMAIN_CAP_REACHED = gettext_noop(
    "the hourly limit of new complaints by mail from the sender's domain is reached"
)

# As the daily count of automatic mails (mail.outbound): one statement, so that concurrent workers
# cannot pass the cap together; they queue on the row's unique key and each re-checks the count
# the one before it left.
_COUNT_SQL = """INSERT INTO "{counts}" ("organisation_id", "sender_domain", "hour", "count")
    VALUES (%s, %s, %s, 1)
    ON CONFLICT ("organisation_id", "sender_domain", "hour") DO UPDATE SET "count" = "{counts}"."count" + 1
    WHERE "{counts}"."count" < %s
    RETURNING "count"
""".format(counts=ComplaintsByMailCount._meta.db_table)


def per_organisation() -> int:
    return settings.GEHOORD_MAIL_COMPLAINTS_PER_HOUR


def per_sender_domain() -> int:
    return settings.GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR


def count_new_complaint(organisation, sender: str) -> str:
    """Count one complaint that a mail from `sender` (an address with a domain) would open at
    `organisation` this hour; when a cap is reached, count nothing and return why."""
    hour = timezone.now().astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    domain = sender.rpartition("@")[2].lower()
    caps = (
        ("", per_organisation(), ORGANISATION_CAP_REACHED),
        (domain, per_sender_domain(), SENDER_DOMAIN_CAP_REACHED),
    )
    # A savepoint: a second cap that refuses takes back the first count.
    with transaction.atomic(), connection.cursor() as cursor:
        for sender_domain, cap, reached in caps:
            cursor.execute(
                _COUNT_SQL, [organisation.pk, sender_domain, connection.ops.adapt_datetimefield_value(hour), cap]
            )
            if cursor.fetchone() is None:
                transaction.set_rollback(True)
                return reached
    return ""
