"""The daily figures: kept from the timeline past a watermark, each figure as worked out by hand on
the fixed month of scenario.py; summarising twice is summarising once; late events land on their day."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.insights import daily, reports
from gehoord.insights.models import DailyFigure, Watermark
from gehoord.insights.tests import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield

LATER = scenario.T0 + 10 * scenario.DAY  # Thursday 12 November
NOVEMBER = reports.Period.month(2026, 11)


def figures() -> list[tuple]:
    return sorted(
        DailyFigure.objects.values_list("organisation_id", "day", "platform", "metric", "dimension", "key", "count", "amount")
    )


@pytest.fixture
def month(time_machine, acme, alice):
    complaints = scenario.build(time_machine, acme, alice)
    time_machine.move_to(LATER, tick=False)
    return complaints


def test_the_november_report_adds_up_as_worked_out_by_hand(month, acme):
    daily.summarise()
    report = reports.build(acme, NOVEMBER)

    assert report.received == 3
    assert [(line.label, line.count) for line in report.by_category] == [("Delivery", 2), ("No category", 1)]
    assert sorted((line.label, line.count) for line in report.by_channel) == [("e-mail", 1), ("phone", 1), ("web form", 1)]
    assert [(line.label, line.count) for line in report.by_product] == [
        ("Boxspring", 1), ("Lamp", 1), ("No product named", 1)
    ]
    # Per day over a month: 30 days, the three on Monday 2 November.
    assert len(report.series) == 30 and sum(line.count for line in report.series) == 3
    assert report.series[1].count == 3

    # Acknowledged on receipt (vxhome), three times; A's refund proposal the first answer after 24 h.
    deadlines = {line.label: (line.met, line.missed) for line in report.deadlines}
    assert deadlines == {"Acknowledgement (first line)": (3, 0), "Answer (first line)": (1, 0)}
    acknowledge, reply, resolve = report.durations
    # The bucket 0–0.1 h holds three: the median's rank 1.5 of 3 is half way, the 90th's (2.7) nine tenths.
    assert (acknowledge.count, acknowledge.median_hours, acknowledge.p90_hours) == (3, pytest.approx(0.05), pytest.approx(0.09))
    # 24 h is in the bucket 12–24 h: ranks 0.5 and 0.9 of one.
    assert (reply.count, reply.median_hours, reply.p90_hours) == (1, 18, pytest.approx(22.8))
    # A: 48 h (bucket 24–48), D: 35 days = 840 h (bucket 720–1080): rank 1 ends the first, 1.8 is 0.8 into the second.
    assert (resolve.count, resolve.median_hours, resolve.p90_hours) == (2, 48, pytest.approx(1008))

    assert [(line.label, line.count, line.cells) for line in report.rates] == [
        ("Escalated", 1, ("33.3 %",)), ("Referred to an external body", 0, ("0.0 %",)), ("Reopened after closing", 1, ("33.3 %",)),
    ]
    assert report.ended == 3
    assert sorted((line.label, line.count) for line in report.endings) == [
        ("Partially upheld", 1), ("Resolution accepted", 1), ("Withdrawn", 1)
    ]
    assert report.refunded == (1, Decimal("50.00")) and report.compensated == (0, Decimal(0))
    # B, received 2 November, is open on the 12th: ten days old.
    assert report.open_total == 1
    assert [(line.label, line.count) for line in report.backlog if line.count] == [("8–14 days", 1)]
    assert [(line.label, line.count, line.cells) for line in report.workload] == [
        ("Unassigned", 1, ("1",)), ("Alice", 0, ("2",))
    ]
    assert [(line.label, line.count) for line in report.satisfaction] == [("5", 0), ("4", 1), ("3", 0), ("2", 0), ("1", 0)]
    assert report.satisfaction_average == 4 and report.resolved_by_feedback == (1, 0)


def test_october_holds_d_received_and_its_answer_deadline_missed_when_it_closed_late(month, acme):
    daily.summarise()
    report = reports.build(acme, reports.Period.month(2026, 10))

    assert report.received == 1 and report.ended == 0
    # D's answer was due 15 October; it was called off by the closing on 5 November: not met.
    assert {line.label: (line.met, line.missed) for line in report.deadlines} == {
        "Acknowledgement (first line)": (1, 0), "Answer (first line)": (0, 1)
    }


def test_summarising_twice_changes_nothing(month):
    daily.summarise()
    once = figures()
    watermark = Watermark.objects.get(name=daily.WATERMARK).last_event_id

    again = daily.summarise()
    daily.summarise_complaints([complaint.pk for complaint in month.values()])

    assert figures() == once and once
    assert again.events == 0 and Watermark.objects.get(name=daily.WATERMARK).last_event_id == watermark


def test_a_late_event_moves_an_old_complaint_to_the_day_it_ended(time_machine, acme, alice):
    # Received on 1 October and summarised while open: it counts in the backlog of 1 October.
    time_machine.move_to(scenario.OCTOBER, tick=False)
    daily.summarise()
    old = carol_complaint(acme)
    time_machine.move_to(scenario.T0, tick=False)
    daily.summarise()
    october_open = DailyFigure.objects.filter(metric=daily.OPEN, day=datetime.date(2026, 10, 1), dimension="stage")
    assert october_open.get().count == 1

    time_machine.move_to(scenario.T0 + 3 * scenario.DAY, tick=False)
    actions.close(old, by=Actor.staff(alice, acme), outcome="partially_upheld", letter=scenario.LETTER)
    time_machine.move_to(LATER, tick=False)
    daily.summarise()

    assert not october_open.exists()
    ended = DailyFigure.objects.get(metric=daily.ENDED, dimension="outcome")
    assert (ended.day, ended.key, ended.count) == (datetime.date(2026, 11, 5), "partially_upheld", 1)
    # Still received in October, once.
    assert DailyFigure.objects.get(metric=daily.RECEIVED, dimension="channel").day == datetime.date(2026, 10, 1)


def test_events_not_yet_settled_wait_for_the_next_run(time_machine, acme, alice):
    time_machine.move_to(scenario.T0, tick=False)
    daily.summarise()
    carol_complaint(acme)
    assert daily.summarise().events == 0  # younger than SETTLE: a transaction with a lower id may still be open
    assert not DailyFigure.objects.filter(metric=daily.RECEIVED).exists()

    time_machine.move_to(scenario.T0 + daily.SETTLE + scenario.HOUR, tick=False)
    assert daily.summarise().events > 0
    assert DailyFigure.objects.get(metric=daily.RECEIVED, dimension="channel").count == 1


def test_a_summary_rebuilt_from_nothing_equals_the_one_kept_event_by_event(time_machine, acme, alice):
    time_machine.move_to(scenario.T0 - 60 * scenario.DAY, tick=False)
    daily.summarise()  # before any complaint: later ones are taken in event by event
    scenario.build(time_machine, acme, alice)
    time_machine.move_to(LATER, tick=False)
    daily.summarise()
    kept = figures()

    Watermark.objects.all().delete()
    daily.summarise()  # the catch-up: every complaint once

    assert figures() == kept


def test_percentile_interpolates_within_the_bucket():
    assert daily.percentile({}, 0.5) is None
    assert daily.bucket(0) == 0 and daily.bucket(0.1) == 0 and daily.bucket(0.11) == 1
    assert daily.bucket(10_000) == len(daily.BUCKETS)
    assert daily.percentile({daily.bucket(6): 2}, 0.5) == 6  # the bucket 4–8 h, half way
    assert daily.percentile({len(daily.BUCKETS): 1}, 0.5) == daily.BUCKETS[-1]  # the open bucket: its lower bound


def test_by_hand_the_command_summarises_and_rebuilds(month, capsys):
    call_command("summarise")
    # The first run: every complaint, then the events of the overlap again (changing nothing).
    assert capsys.readouterr().out.startswith("summarise: 8 complaints from 17 events")
    kept = figures()
    assert kept
    call_command("summarise")
    assert capsys.readouterr().out.startswith("summarise: 0 complaints from 0 events")
    call_command("summarise", "--rebuild")
    assert figures() == kept


def test_a_look_at_a_complaint_moves_the_watermark_without_recomputing_it(month, acme, alice, time_machine):
    daily.summarise()
    actions.record_personal_data_view(month["a"], by=Actor.staff(alice, acme))
    time_machine.move_to(LATER + daily.SETTLE + scenario.HOUR, tick=False)

    result = daily.summarise()

    assert (result.events, result.complaints) == (1, 0)
