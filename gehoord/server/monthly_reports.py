"""Sending the monthly reports (insights/monthly.py): the sweep sends those due, `gehoord
monthly_report` sends one by hand. Each organisation's month is claimed by its `MonthlyReport` row
in the transaction that records the mails: a second sweep finds the row and sends nothing."""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gehoord.complaints.tracking import base_url
from gehoord.insights import monthly
from gehoord.insights.models import MonthlyReport
from gehoord.insights.reports import Period
from gehoord.mail import outbound
from gehoord.organisations.models import Organisation

logger = logging.getLogger(__name__)


def send(organisation: Organisation, month: Period) -> int | None:
    """Mail `month`'s report to the organisation's complaint managers; the number of mails, or None
    when that month's report was sent before."""
    if MonthlyReport.objects.filter(organisation=organisation, month=month.start).exists():
        return None  # the cheap check first: the work below is a second of typesetting
    managers = monthly.recipients(organisation)
    if not managers:
        return 0  # nobody to send it to: unclaimed, for when there is
    # Staff have no language of their own: the organisation's, as its other staff mails.
    language = organisation.language
    content = monthly.content(organisation, month, language)
    url = f"{base_url()}{reverse('desk:reports', args=[organisation.slug])}?month={month.start:%Y-%m}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = MonthlyReport.objects.create(organisation=organisation, month=month.start)
        except IntegrityError:
            return None  # another sweep claimed it meanwhile
        for user in managers:
            outbound.send_monthly_report(organisation, user, content, language, url)
        claim.sent_at = timezone.now()
        claim.recipients = len(managers)
        claim.save(update_fields=["sent_at", "recipients"])
    return len(managers)


def send_due(now: datetime.datetime | None = None) -> int:
    """Every monthly report that is due (the sweep runs this every minute); the number sent."""
    sent = 0
    for organisation, month in monthly.due(now):
        try:
            sent += send(organisation, month) is not None
        except Exception:  # one organisation's failure must not stop the others
            logger.exception("The monthly report of %s for %s failed", organisation.slug, month.start)
    return sent
