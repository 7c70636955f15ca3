"""Retention: closed complaints older than their policy's retention_days are anonymised, by the
sweep and by `gehoord retention`; running it again, or on several workers at once, anonymises
each complaint once."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gehoord.complaints.tests.test_references import run_at_once
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Event
from gehoord.platform import privacy
from gehoord.platform.tests.endings_support import email_only_company, platform_complaint
from gehoord.server.management.commands.sweep import _run_due_jobs

RETENTION_DAYS = 730  # the platform preset's


def closed_days_ago(company, days: int, name="Joost Klaassen") -> Complaint:
    complaint = platform_complaint(company, contact_name=name, contact_email=f"{name.split()[0].lower()}@example.nl",
                                   description=f"Ik, {name}, kreeg kapotte zeep.")
    actions.perform("withdraw", complaint, by=Actor.consumer(complaint))
    Complaint.objects.filter(pk=complaint.pk).update(closed_at=timezone.now() - datetime.timedelta(days=days))
    return complaint


def anonymised_events(complaint) -> list:
    return list(Event.objects.filter(complaint=complaint, kind=EventKind.ANONYMISED).values_list("data", flat=True))


@pytest.mark.django_db
def test_the_command_anonymises_closed_complaints_past_their_retention_period(capsys):
    company = email_only_company()
    expired = closed_days_ago(company, RETENTION_DAYS + 1)
    kept = closed_days_ago(company, RETENTION_DAYS - 1, name="Kees Bakker")
    still_open = platform_complaint(company, days_ago=RETENTION_DAYS + 100, contact_name="Lies Open")

    call_command("retention")

    assert "retention: 1 complaints anonymised" in capsys.readouterr().out
    expired.refresh_from_db()
    assert expired.anonymised_at is not None and expired.contact_email == "" and "Joost" not in expired.description
    assert expired.status == "withdrawn" and expired.closed_at is not None
    assert anonymised_events(expired) == [{"why": "retention"}]
    for untouched in (kept, still_open):
        untouched.refresh_from_db()
        assert untouched.anonymised_at is None and untouched.contact_name in ("Kees Bakker", "Lies Open")


@pytest.mark.django_db
def test_running_again_changes_nothing():
    company = email_only_company()
    expired = closed_days_ago(company, RETENTION_DAYS + 5)
    assert privacy.anonymise_expired() == 1
    events = list(Event.objects.values_list("pk", "data", "actor_label"))

    assert privacy.anonymise_expired() == 0
    call_command("retention")
    assert list(Event.objects.values_list("pk", "data", "actor_label")) == events
    assert anonymised_events(expired) == [{"why": "retention"}]


@pytest.mark.django_db
def test_the_sweep_runs_it():
    expired = closed_days_ago(email_only_company(), RETENTION_DAYS + 1)

    _run_due_jobs(stderr=None)

    expired.refresh_from_db()
    assert expired.anonymised_at is not None


@pytest.mark.django_db
def test_a_worker_that_read_the_list_before_another_finished_anonymises_nothing_twice():
    company = email_only_company()
    complaints = [closed_days_ago(company, RETENTION_DAYS + 1, name=f"Persoon{n} Achternaam") for n in range(3)]
    # Both workers read the due complaints; the first anonymises them all before the second starts.
    seen_by_second = list(privacy.expired_complaints())
    assert privacy.anonymise_expired() == 3

    assert sum(privacy.anonymise(complaint) for complaint in seen_by_second) == 0
    for complaint in complaints:
        assert anonymised_events(complaint) == [{"why": "retention"}]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need a real server")
@pytest.mark.django_db(transaction=True)
def test_several_workers_at_once_anonymise_each_complaint_once():
    company = email_only_company()
    complaints = [closed_days_ago(company, RETENTION_DAYS + 1, name=f"Persoon{n} Achternaam") for n in range(12)]
    results = []

    def worker(_number):
        results.append(privacy.anonymise_expired(batch=5))
        results.append(privacy.anonymise_expired(batch=50))

    assert run_at_once(4, worker) == []
    assert sum(results) == 12
    for complaint in complaints:
        assert anonymised_events(complaint) == [{"why": "retention"}]
