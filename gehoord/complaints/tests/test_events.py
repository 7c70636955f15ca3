"""Typed events: every event is one declared kind with its declared payload keys, instants in UTC,
the consumer's view fixed per kind, and one label table that the desk, the portal and the API read."""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import translation

from gehoord.complaints import actions, events, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Event
from gehoord.complaints.tests.test_lifecycle import LETTER

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_every_kind_is_declared_once_with_disjoint_plain_and_personal_keys():
    assert set(events.TYPES) == set(EventKind)
    for kind, declared in events.TYPES.items():
        assert not (declared.plain | declared.instants) & declared.personal, kind


def test_an_undeclared_kind_or_key_is_refused_and_nothing_is_written(complaint, as_alice):
    before = complaint.events.count()

    with pytest.raises(ValueError):
        timeline.record(complaint, "reopened", as_alice)
    with pytest.raises(TypeError, match="carries no colour"):
        timeline.record(complaint, EventKind.INVESTIGATION_STARTED, as_alice, colour="blue")

    assert complaint.events.count() == before


def test_instants_are_stored_in_utc_whatever_zone_they_come_in(complaint, as_alice):
    local = datetime.datetime(2027, 1, 4, 23, 59, 59, tzinfo=AMSTERDAM)

    event = timeline.record(complaint, EventKind.PROGRESS_UPDATE_SENT, as_alice, deadline_kind="respond", new_estimate=local)

    assert event.data["new_estimate"] == "2027-01-04T22:59:59+00:00"
    assert event.consumer_visible  # the consumer is told of an update


def test_a_whole_complaint_writes_only_declared_shapes(complaint, as_alice, as_manon):
    """Carol's complaint through most of its life: each stored event fits its declaration."""
    carol = Actor.consumer(complaint)
    actions.assign(complaint, by=as_manon, handler=as_alice.user)
    actions.start(complaint, by=as_alice)
    actions.ask_info(complaint, by=as_alice, question="Welke kleur?")
    actions.add_message(complaint, by=carol, body="Rood.")
    actions.add_message(complaint, by=as_alice, body="Intern.", internal=True)
    actions.propose_resolution(complaint, by=as_alice, kinds=["apology"], text="Excuses.")
    actions.reject(complaint, by=carol, comment="Nee.")
    actions.escalate(complaint, by=carol, reason="Ik wil de manager.")
    actions.acknowledge(complaint, by=as_manon)
    actions.decide(complaint, by=as_manon, decision="not_upheld", letter=LETTER)
    actions.record_personal_data_view(complaint, by=as_manon)

    stored = list(complaint.events.all())
    assert len({event.kind for event in stored}) >= 12
    for event in stored:
        declared = events.TYPES[EventKind(event.kind)]
        assert set(event.data) <= declared.keys, event.kind
        assert event.consumer_visible == declared.consumer_visible, event.kind
        for key in declared.instants & set(event.data):
            if event.data[key] is not None:
                assert event.data[key].endswith("+00:00"), (event.kind, key)


def test_the_consumer_reads_her_own_wording_staff_and_the_api_the_label():
    with translation.override("en"):
        _labels_in_english()
    with translation.override("nl"):
        assert events.label(EventKind.ACKNOWLEDGED, for_consumer=True) == "Ontvangst bevestigd"


def _labels_in_english():
    assert events.label(EventKind.ACKNOWLEDGED) == "Acknowledged"
    assert events.label(EventKind.ACKNOWLEDGED, for_consumer=True) == "Receipt confirmed"
    assert events.label(EventKind.INVESTIGATION_STARTED, for_consumer=True) == "Investigation started"
    assert events.label("something_from_long_ago") == "Something from long ago"


def test_the_api_timeline_carries_each_events_label(acme_api_timeline):
    labels = {entry["kind"]: entry["label"] for entry in acme_api_timeline}
    assert labels["received"] == "Complaint received"
    assert labels["acknowledged"] == "Acknowledged"


@pytest.fixture
def acme_api_timeline(complaint, acme_token, client):
    response = client.get(
        f"/api/v1/complaints/{complaint.reference}/timeline",
        headers={"Authorization": f"Bearer {acme_token}", "Accept-Language": "en"},
    )
    assert response.status_code == 200
    return response.json()


def test_the_migration_rewrites_instants_written_in_another_zone(complaint, as_alice):
    migration = importlib.import_module("gehoord.complaints.migrations.0006_typed_events")
    # As an acknowledgement was stored before: the expected answer in the organisation's time.
    old = Event.objects.create(
        complaint=complaint, kind="acknowledged", created_at=complaint.received_at, actor_kind="system",
        actor_label="Gehoord", consumer_visible=True,
        data={"reference": complaint.reference, "expected_answer_by": "2027-01-04T23:59:59+01:00", "handler": ""},
    )

    migration.instants_to_utc(apps, None)

    old.refresh_from_db()
    assert old.data == {"reference": complaint.reference, "expected_answer_by": "2027-01-04T22:59:59+00:00", "handler": ""}
