"""Recurring problems (issue 14): a planted group among hundreds of random complaints is found, with
its own complaints and the reason it fired; a random spread never fires; a second scan updates
instead of duplicating; a resolved alert stays resolved; process changes are listed beside it."""

import datetime

import pytest
from django.utils import timezone

from gehoord.complaints.models import OutcomeLetter
from gehoord.errors import ActionNotAllowed
from gehoord.insights import alerts, problems
from gehoord.insights.models import AlertState, ProblemAlert, ProblemKind, ProblemScan
from gehoord.insights.tests import generated
from gehoord.organisations.models import CategoryField, FieldType

RANDOM_COMPLAINTS = 500


@pytest.fixture
def inverters(acme):
    """Acme with seed 003's product fields: the inverter's model (a choice) and its serial number."""
    product = acme.categories.get(slug="product")
    CategoryField.objects.create(
        category=product, key="inverter_model", label="Model omvormer", field_type=FieldType.CHOICE,
        choices=[*generated.MODELS, "SW Hybrid 10K"], position=2,
    )
    return acme


def alerts_of(organisation):
    return list(ProblemAlert.objects.of_organisation(organisation).order_by("kind", "key"))


def ids(complaints):
    return {complaint.pk for complaint in complaints}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_spread_never_fires(inverters, seed):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=seed)

    result = problems.scan(inverters)

    # Models, categories and groups of similar texts had enough complaints to be tested.
    assert {ProblemKind.MODEL, ProblemKind.CATEGORY, ProblemKind.SIMILAR_TEXT} <= set(result.tested_by_kind)
    assert alerts_of(inverters) == []


def test_a_random_spread_of_the_planted_size_within_the_window_does_not_fire(inverters):
    """Fifteen more complaints in the last two weeks, as random as the rest: no group of them rises."""
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=4)
    generated.spread(inverters, 15, seed=5, days=12)

    problems.scan(inverters)

    assert alerts_of(inverters) == []


def test_paraphrased_texts_in_dutch_and_english_are_found_as_one_problem(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    planted = generated.planted(inverters, seed=7)

    result = problems.scan(inverters)

    [alert] = alerts_of(inverters)
    assert (alert.kind, alert.state, alert.rising) == (ProblemKind.SIMILAR_TEXT, AlertState.OPEN, True)
    assert set(alert.complaints.values_list("pk", flat=True)) == ids(planted)
    assert "omvormer" in alert.label or "inverter" in alert.label
    # The reason: 15 in the 14-day window against a baseline of hardly any such texts.
    assert alert.count == 15 and alert.window_days == 14
    assert alert.expected < 1 and alert.baseline_count == 0
    assert alert.recent_total >= 15 and alert.baseline_total > 400
    assert alert.p_value < 1e-10
    assert result.created == 1


def test_the_same_new_model_is_found_with_its_complaints_and_reason(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=8)
    rng_texts = [text for _product, _language, text in generated.text_pool()[:15]]
    planted = generated.planted(
        inverters, seed=9, field_values={"inverter_model": "SW Hybrid 10K"}, description=lambda i: rng_texts[i]
    )

    problems.scan(inverters)

    [alert] = alerts_of(inverters)
    assert (alert.kind, alert.key, alert.label) == (
        ProblemKind.MODEL, "inverter_model=SW Hybrid 10K", "Model omvormer: SW Hybrid 10K"
    )
    assert set(alert.complaints.values_list("pk", flat=True)) == ids(planted)
    assert (alert.count, alert.baseline_count) == (15, 0)


def test_a_product_rising_against_its_own_earlier_share_fires(inverters):
    """A product that always had a few complaints (its baseline) now has many more."""
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=10)
    now = timezone.now()
    texts = [text for _product, _language, text in generated.text_pool()[15:45]]
    earlier = generated.planted(
        inverters, seed=11, product="Robotmaaier RM-1", description=lambda i: texts[i],
        now=now - datetime.timedelta(days=60), days=100,
    )
    rising_now = generated.planted(inverters, seed=12, product="Robotmaaier RM-1", description=lambda i: texts[15 + i])

    problems.scan(inverters, now)

    [alert] = alerts_of(inverters)
    assert (alert.kind, alert.key, alert.label) == (ProblemKind.PRODUCT, "robotmaaier rm-1", "Robotmaaier RM-1")
    assert set(alert.complaints.values_list("pk", flat=True)) == ids(rising_now)
    assert alert.baseline_count == len(earlier) == 15
    assert 0.5 < alert.expected < 3


def test_serial_numbers_of_one_range_are_found(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=13)
    texts = [text for _product, _language, text in generated.text_pool()[45:60]]
    planted = generated.planted(
        inverters, seed=14, description=lambda i: texts[i],
        field_values=lambda i: {"serial_number": f"SW50-2304-01{i * 6:02d}"},
    )

    problems.scan(inverters)

    [alert] = alerts_of(inverters)
    assert (alert.kind, alert.key, alert.label) == (
        ProblemKind.SERIAL_RANGE, "serial_number=SW50-2304-01", "Serial number: SW50-2304-01…"
    )
    assert set(alert.complaints.values_list("pk", flat=True)) == ids(planted)


def test_a_second_scan_updates_the_alert_instead_of_adding_one(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    planted = generated.planted(inverters, seed=7)
    problems.scan(inverters)
    [first] = alerts_of(inverters)
    alerts.acknowledge(inverters, first.pk, by=None)
    later = generated.planted(inverters, seed=15, days=1)

    result = problems.scan(inverters, timezone.now() + datetime.timedelta(hours=1))

    [alert] = alerts_of(inverters)
    assert alert.pk == first.pk and result.created == 0
    assert alert.state == AlertState.ACKNOWLEDGED  # a manager's acknowledgement stays
    assert alert.count == 30
    assert set(alert.complaints.values_list("pk", flat=True)) == ids(planted) | ids(later)


def test_an_alert_that_no_longer_rises_says_so_and_keeps_its_state(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    generated.planted(inverters, seed=7)
    problems.scan(inverters)

    problems.scan(inverters, timezone.now() + datetime.timedelta(days=30))

    [alert] = alerts_of(inverters)
    assert (alert.state, alert.rising, alert.count) == (AlertState.OPEN, False, 15)


def test_a_resolved_alert_is_not_opened_again_by_the_same_complaints(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    generated.planted(inverters, seed=7)
    problems.scan(inverters)
    [alert] = alerts_of(inverters)
    alerts.resolve(inverters, alert.pk, by=None, note="Firmware 2.1 teruggedraaid.")

    problems.scan(inverters, timezone.now() + datetime.timedelta(hours=1))

    [resolved] = alerts_of(inverters)
    assert (resolved.pk, resolved.state, resolved.resolution_note) == (
        alert.pk, AlertState.RESOLVED, "Firmware 2.1 teruggedraaid."
    )


def test_an_alert_is_acknowledged_only_when_open_and_resolved_once(inverters):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    generated.planted(inverters, seed=7)
    problems.scan(inverters)
    [alert] = alerts_of(inverters)
    alerts.resolve(inverters, alert.pk, by=None)

    with pytest.raises(ActionNotAllowed):
        alerts.acknowledge(inverters, alert.pk, by=None)
    with pytest.raises(ActionNotAllowed):
        alerts.resolve(inverters, alert.pk, by=None)


def test_the_process_changes_of_the_alerts_complaints_are_listed_beside_it(inverters, manon):
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    planted = generated.planted(inverters, seed=7)
    other = generated.spread(inverters, 1, seed=16, days=5)[0]
    for complaint, changes in ((planted[0], "Firmware 2.1 teruggedraaid voor alle SW-omvormers."),
                               (planted[1], ""), (other, "Bezorger maakt voortaan een foto.")):
        OutcomeLetter.objects.create(
            complaint=complaint, stage=1, actions_taken="Logbestanden bekeken.", conclusions="Fout in de firmware.",
            changes=changes, decision="Gegrond.", written_by=manon, written_at=timezone.now(),
        )
    problems.scan(inverters)
    [alert] = alerts_of(inverters)

    listed = alerts.process_changes([alert])

    assert [(item["reference"], item["changes"]) for item in listed[alert.pk]] == [
        (planted[0].reference, "Firmware 2.1 teruggedraaid voor alle SW-omvormers.")
    ]


def test_an_organisation_without_enough_history_is_not_judged(inverters):
    generated.spread(inverters, 60, seed=17, days=30)
    generated.planted(inverters, seed=7)

    result = problems.scan(inverters)

    assert result.skipped and alerts_of(inverters) == []


def test_the_sweep_scans_each_connected_organisation_once_an_hour(inverters, other):
    ProblemAlert.objects.all().delete()
    inverters.connected = True
    inverters.save(update_fields=["connected"])
    generated.spread(inverters, RANDOM_COMPLAINTS, seed=6)
    generated.planted(inverters, seed=7)
    now = timezone.now()

    assert problems.refresh_due(now) == 1  # `other` is not connected
    assert problems.refresh_due(now + datetime.timedelta(minutes=30)) == 0
    assert problems.refresh_due(now + datetime.timedelta(minutes=61)) == 1
    assert len(alerts_of(inverters)) == 1
    assert ProblemScan.objects.get(organisation=inverters).scanned_at == now + datetime.timedelta(minutes=61)
