"""`Idempotency-Key`: an integration that lost an answer repeats its POST, and nothing happens twice.

The first request with a key runs; a repeat of the same request with the same key gets the kept
answer (same status, same body, `Idempotent-Replayed: true`) and changes nothing; the same key on a
different request is a 409. Keys belong to one organisation and are kept for a day.
"""

import datetime
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from gehoord.api.idempotency import KEPT_FOR
from gehoord.api.models import IdempotencyKey
from gehoord.api.tests.conftest import ApiClient, carol_payload
from gehoord.complaints.models import Complaint, Event, Message
from gehoord.mail.models import OutboundMail

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "f3c5d0e2-7a41-4c8e-9b1d-2f6a8e0c4d17"}


def test_a_filing_repeated_with_its_key_files_once_and_gets_the_same_answer(acme_api, acme):
    first = acme_api.post("/complaints", carol_payload(), headers=KEY)
    events, mails = Event.objects.count(), OutboundMail.objects.count()

    repeats = [acme_api.post("/complaints", carol_payload(), headers=KEY) for _ in range(3)]

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert [(r.status_code, r.json(), r["Idempotent-Replayed"]) for r in repeats] == [(201, first.json(), "true")] * 3
    assert list(Complaint.objects.values_list("reference", flat=True)) == [first.json()["reference"]]
    assert (Event.objects.count(), OutboundMail.objects.count()) == (events, mails)


def test_the_same_request_written_otherwise_is_still_a_repeat(acme_api, acme):
    acme_api.post("/complaints", carol_payload(), headers=KEY)
    reordered = dict(reversed(list(carol_payload().items())))

    repeat = acme_api.post("/complaints", raw=json.dumps(reordered, indent=2), headers=KEY)

    assert repeat.status_code == 201 and repeat["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1


def test_the_same_key_on_a_different_request_is_a_409_and_changes_nothing(acme_api, acme):
    first = acme_api.post("/complaints", carol_payload(), headers=KEY)

    other_body = acme_api.post("/complaints", carol_payload(description="Iets anders."), headers=KEY)
    reference = first.json()["reference"]
    other_path = acme_api.post(f"/complaints/{reference}/messages", {"body": "Hallo"}, headers=KEY)

    for response in (other_body, other_path):
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "idempotency_key_reused"
        assert set(body["errors"]) == {"Idempotency-Key"} and "different request" in body["message"]
    assert Complaint.objects.count() == 1 and not Message.objects.exists()


def test_without_a_key_each_request_runs(acme_api, acme):
    for _ in range(2):
        assert acme_api.post("/complaints", carol_payload()).status_code == 201

    assert Complaint.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_keys_belong_to_one_organisation(acme_api, other_api, acme, other):
    acme_api.post("/complaints", carol_payload(), headers=KEY)

    at_other = other_api.post("/complaints", carol_payload(category=""), headers=KEY)

    assert at_other.status_code == 201 and "Idempotent-Replayed" not in at_other
    assert Complaint.objects.filter(organisation=other).count() == 1


def test_a_refused_request_is_not_kept_so_its_corrected_repeat_runs(acme_api, acme):
    refused = acme_api.post("/complaints", carol_payload(category="billing"), headers=KEY)

    corrected = acme_api.post("/complaints", carol_payload(), headers=KEY)

    assert refused.status_code == 422
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected
    assert Complaint.objects.count() == 1


def test_a_message_repeated_with_its_key_is_added_once(acme_api, complaint):
    path = f"/complaints/{complaint.reference}/messages"

    answers = [acme_api.post(path, {"body": "De monteur komt dinsdag."}, headers=KEY) for _ in range(2)]

    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    assert Message.objects.filter(complaint=complaint, body="De monteur komt dinsdag.").count() == 1


def test_an_action_repeated_with_its_key_runs_once_and_answers_as_the_first_time(acme_api, complaint):
    path = f"/complaints/{complaint.reference}/actions/start"

    first, repeat = (acme_api.post(path, headers=KEY) for _ in range(2))
    unkeyed = acme_api.post(path)

    assert (first.status_code, repeat.status_code) == (200, 200) and repeat.json() == first.json()
    assert unkeyed.status_code == 409  # without the key it is simply a second start
    assert complaint.events.filter(kind="investigation_started").count() == 1


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "sleutel-é"])
def test_a_malformed_key_is_a_422_and_changes_nothing(acme_api, acme, key):
    response = acme_api.post("/complaints", carol_payload(), headers={"Idempotency-Key": key})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"Idempotency-Key"}
    assert not Complaint.objects.exists() and not IdempotencyKey.objects.exists()


def test_the_sweep_forgets_keys_after_a_day_and_not_before(acme_api, acme, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    acme_api.post("/complaints", carol_payload(), headers=KEY)
    time_machine.shift(KEPT_FOR - datetime.timedelta(minutes=1))
    call_command("sweep")
    assert acme_api.post("/complaints", carol_payload(), headers=KEY)["Idempotent-Replayed"] == "true"

    time_machine.shift(datetime.timedelta(minutes=2))
    call_command("sweep")

    assert not IdempotencyKey.objects.exists()
    # Forgotten: the same key now files anew.
    again = acme_api.post("/complaints", carol_payload(), headers=KEY)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Complaint.objects.count() == 2


def test_the_header_is_documented_on_every_post_operation(db):
    spec = Client().get("/api/v1/openapi.json").json()

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            if method == "post":
                [header] = headers
                assert header["name"] == "Idempotency-Key" and not header["required"], path
                assert header["schema"]["maxLength"] == 255 and "24 hours" in header["description"]
            else:
                assert headers == [], path


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's shared-cache test database refuses concurrent writers")
def test_concurrent_requests_with_one_key_file_once(acme, acme_token):
    """Eight clients send the same keyed filing at the same moment: one files, seven get its answer."""
    start = threading.Barrier(8)
    answers, errors = [], []

    def post():
        try:
            start.wait()
            answers.append(ApiClient(acme_token).post("/complaints", carol_payload(), headers=KEY))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(answers) == 8
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["reference"] for answer in answers}) == 1
    assert sorted(answer.get("Idempotent-Replayed", "") for answer in answers) == [""] + ["true"] * 7
    assert Complaint.objects.count() == 1
