"""Several summarisers at once (PostgreSQL: row locks): the figures are the same as one summariser's,
and a summariser that finds the watermark taken skips (the sweep) instead of counting twice."""

import threading

import pytest
from django.db import connection, connections, transaction

from gehoord.complaints.models import Event
from gehoord.insights import daily
from gehoord.insights.models import Watermark
from gehoord.insights.tests import scenario
from gehoord.insights.tests.test_daily_figures import LATER, figures

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent summarisers need row locks"),
    pytest.mark.django_db(transaction=True),
]

SUMMARISERS = 4


def test_concurrent_summarisers_give_the_figures_of_one(time_machine, acme, alice):
    time_machine.move_to(scenario.T0 - 60 * scenario.DAY, tick=False)
    daily.summarise()  # the first summary, before any complaint: the rest goes event by event
    scenario.build(time_machine, acme, alice)
    time_machine.move_to(LATER, tick=False)
    start = threading.Barrier(SUMMARISERS)
    results, failures = [], []

    def summariser(wait):
        try:
            start.wait()
            results.append(daily.summarise(wait=wait))
        except Exception as problem:  # pragma: no cover - reported below
            failures.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=summariser, args=(n % 2 == 0,)) for n in range(SUMMARISERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    concurrent = figures()

    Watermark.objects.all().delete()
    daily.summarise()  # one summariser, from nothing
    assert figures() == concurrent and concurrent
    # One took every event in (a single batch); the others waited and found nothing new, or skipped.
    assert [result.events for result in results if result.events] == [Event.objects.count()]


def test_the_sweep_skips_while_another_summariser_holds_the_watermark(acme):
    daily.summarise()
    held, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                Watermark.objects.select_for_update().get(name=daily.WATERMARK)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        assert daily.summarise().skipped
    finally:
        release.set()
        thread.join()
    assert not daily.summarise().skipped
