"""The score card's arithmetic against hand-computed examples, and its prepared rows."""

import datetime

import pytest
from django.utils import timezone

from gehoord.complaints.models import Complaint
from gehoord.platform import scorecard, scores
from gehoord.platform.models import CompanyMonth, CompanyScore, PlatformSettings
from gehoord.platform.scorecard import Average, ComplaintFacts, Rules
from gehoord.platform.tests.platform_complaints import email_only_company, platform_complaint

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
NEUTRAL = Average(0.5, 0.5, 0.5)
NO_SMOOTHING = Rules(smoothing_complaints=0)


def days_ago(days, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def answered(days, *, within_hours=2, resolved=True, public=True):
    received = days_ago(days)
    return ComplaintFacts(received, received + datetime.timedelta(hours=within_hours), resolved, public)


def unanswered(days, resolved=None):
    return ComplaintFacts(days_ago(days), None, resolved, True)


def test_no_score_below_the_minimum_number_of_complaints():
    four = [answered(40 + day) for day in range(4)]
    assert scorecard.compute(four, Rules(), NEUTRAL, NOW).score is None
    assert scorecard.compute([*four, answered(50)], Rules(), NEUTRAL, NOW).score is not None


def test_a_small_sample_is_pulled_towards_the_platform_average():
    # Five perfect complaints with ten pseudo-complaints of 0.5: (5·1 + 10·0.5) / 15 = 2/3 for each part.
    card = scorecard.compute([answered(40 + day) for day in range(5)], Rules(), NEUTRAL, NOW)
    assert (card.response_rate, card.resolution_rate, card.speed_score) == (1.0, 1.0, 1.0)
    assert card.score == 66.7
    # Without smoothing the same company scores 100.
    assert scorecard.compute([answered(40 + day) for day in range(5)], NO_SMOOTHING, NEUTRAL, NOW).score == 100.0


def test_thirty_days_without_a_reply_count_as_unanswered_and_unresolved():
    facts = [
        *[answered(60 + day, within_hours=48) for day in range(5)],
        unanswered(31),
        unanswered(45),
        unanswered(90, resolved=True),  # the consumer's verdict does not save an unanswered complaint
        unanswered(10),  # still within the term: counts for neither side
        unanswered(29),
    ]
    card = scorecard.compute(facts, NO_SMOOTHING, NEUTRAL, NOW)
    assert (card.complaints, card.replied, card.unanswered, card.judged, card.resolved) == (10, 5, 3, 8, 5)
    assert card.response_rate == 5 / 8
    assert card.resolution_rate == 5 / 8
    assert card.median_reply_hours == 48
    assert card.speed_score == pytest.approx((720 - 48) / (720 - 24))
    # 50·0.625 + 35·0.625 + 15·0.9655 = 67.6
    assert card.score == 67.6


def test_only_the_last_twelve_months_count():
    inside = [answered(30 * month + 40) for month in range(5)]  # the oldest 160 days back
    year_and_a_day = answered(366, resolved=False)
    card = scorecard.compute([*inside, year_and_a_day], NO_SMOOTHING, NEUTRAL, NOW)
    assert card.complaints == 5
    assert card.period_start == datetime.date(2025, 6, 15)
    assert card.resolution_rate == 1.0
    last_day_in = ComplaintFacts(days_ago(365), None, None, True)
    assert scorecard.compute([last_day_in], NO_SMOOTHING, NEUTRAL, NOW).complaints == 1


def test_a_company_with_only_private_complaints_has_a_score_and_no_public_list():
    facts = [answered(40 + day, public=False, resolved=day % 2 == 0) for day in range(6)]
    card = scorecard.compute(facts, NO_SMOOTHING, NEUTRAL, NOW)
    assert (card.complaints, card.public_complaints) == (6, 0)
    # resolution 3/6, response 1, speed 1: 50·0.5 + 35 + 15 = 75
    assert card.score == 75.0


def test_speed_is_linear_between_the_two_bounds():
    rules = Rules()
    assert scorecard.speed_score(10, rules) == 1.0
    assert scorecard.speed_score(372, rules) == 0.5
    assert scorecard.speed_score(1000, rules) == 0.0


def test_a_company_that_never_replies_scores_zero_on_speed():
    card = scorecard.compute([unanswered(40 + day) for day in range(5)], NO_SMOOTHING, NEUTRAL, NOW)
    assert (card.response_rate, card.resolution_rate, card.speed_score, card.score) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.django_db
def test_the_worker_prepares_the_card_and_twelve_monthly_points():
    PlatformSettings.current()
    kettles = email_only_company("kettles")
    for day in range(6):
        platform_complaint(kettles, received_at=days_ago(40 + day), replied_after=datetime.timedelta(hours=3),
                           resolved=True, published=day < 2)
    platform_complaint(kettles, received_at=days_ago(60), published=False)

    assert scores.refresh_due(NOW) == 1
    card = CompanyScore.objects.get(organisation=kettles)
    assert (card.complaints, card.public_complaints, card.replied, card.unanswered, card.resolved) == (7, 2, 6, 1, 6)
    # Smoothed towards the default average of 0.5 (the only card is this one, still empty at the start).
    # response and resolution (7·6/7 + 10·.5)/17 = 11/17, speed (6·1 + 10·.5)/16 = 11/16: 65.3
    assert card.score == round(50 * 11 / 17 + 35 * 11 / 17 + 15 * 11 / 16, 1) == 65.3
    months = list(CompanyMonth.objects.filter(organisation=kettles))
    assert [point.month for point in months][0] == datetime.date(2025, 7, 1)
    assert len(months) == 12 and months[-1].month == datetime.date(2026, 6, 1)
    assert sum(point.complaints for point in months) == 7
    # A month's figures are as they stand now: the complaint of 60 days ago is unanswered by now.
    assert (sum(point.replied for point in months), sum(point.unanswered for point in months)) == (6, 1)

    # Idempotent: computing again changes nothing; nothing changed, so nothing is due.
    assert scores.refresh([kettles.pk], now=NOW, average=Average()) == 1
    assert CompanyScore.objects.get(organisation=kettles).score == card.score
    assert CompanyMonth.objects.filter(organisation=kettles).count() == 12


@pytest.mark.django_db
def test_a_written_complaint_makes_its_company_due_and_a_quiet_one_waits_a_day():
    now = timezone.now()
    quiet = email_only_company("quiet")
    busy = email_only_company("busy")
    platform_complaint(quiet, received_at=now - datetime.timedelta(days=40))
    complaint = platform_complaint(busy, received_at=now - datetime.timedelta(days=40))
    later = now + datetime.timedelta(minutes=10)
    scores.refresh_due(later)
    assert scores.due_companies(later) == []

    Complaint.objects.filter(pk=complaint.pk).update(feedback_resolved=True, updated_at=later + datetime.timedelta(minutes=1))
    assert scores.due_companies(later) == [busy.pk]
    assert scores.due_companies(later + datetime.timedelta(days=2)) == sorted([quiet.pk, busy.pk])
