"""The API's reads run a fixed number of queries, however long the page or the complaint's history.

A list endpoint that fetches the category or the handler per row, or a detail that loads each
attachment or resolution on its own, is a slow page waiting for a big customer.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import carol_complaint
from gehoord.api.tests.conftest import b64, carol_payload, png_bytes
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload

pytestmark = pytest.mark.django_db


def queries_of(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response


@pytest.fixture
def fifty_complaints(acme, alice, manon, bert, as_manon):
    """Fifty of Acme's complaints across both categories and three handlers (and none)."""
    handlers = [alice, manon, bert, None]
    for n in range(50):
        if n % 2:
            complaint = carol_complaint(acme, category="product", field_values={"serial_number": f"SN-{n:04d}"})
        else:
            complaint = carol_complaint(acme, description=f"Bezorging {n} ging mis.")
        if handlers[n % 4] is not None:
            actions.assign(complaint, by=as_manon, handler=handlers[n % 4])


@pytest.fixture
def warm_api(acme_api):
    # The first use of a token records last_used_at (then at most once a minute); measure the calls
    # after that one, so list this fixture after the ones that build data.
    assert acme_api.get("/categories").status_code == 200
    return acme_api


def test_listing_runs_the_same_queries_for_1_10_or_50_complaints(fifty_complaints, warm_api):
    # One test for all filters: building fifty complaints is the expensive part.
    for filters in ({}, {"category": "product"}, {"handler": "none"}, {"q": "SN-00", "status": "acknowledged"}):
        counts = {}
        for limit in (1, 10, 50):
            counts[limit], response = queries_of(lambda: warm_api.get("/complaints", {**filters, "limit": limit}))
            total = response.json()["count"]
            if total is not None:  # a text search is not counted
                assert len(response.json()["items"]) == min(limit, total)
        assert counts[1] == counts[10] == counts[50], (filters, counts)
        # The token, the page, the total (not for a text search); the category's id when filtered by it.
        assert counts[50] <= 3 + ("category" in filters) - ("q" in filters), filters

    everything = warm_api.get("/complaints", {"limit": 50}).json()["items"]
    assert {item["handler"] for item in everything} == {"alice", "manon", "bert", None}
    assert {item["category"] for item in everything} == {"product", "delivery"}
    pages = [queries_of(lambda o=offset: warm_api.get("/complaints", {"limit": 20, "offset": o}))[0] for offset in (0, 20, 40)]
    assert len(set(pages)) == 1


@pytest.fixture
def bare_complaint(acme, manon, as_manon):
    """A complaint in the same state as `long_history` (decided at stage 2), reached in three steps:
    the actions offered depend on the state, and some ask the database (another category to set)."""
    complaint = carol_complaint(acme)
    actions.escalate(complaint, by=as_manon)
    actions.acknowledge(complaint, by=as_manon)
    actions.decide(complaint, by=as_manon, decision="upheld")
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def long_history(acme, alice, as_manon, as_alice):
    """A complaint with many events, messages, files, proposals and an outcome letter."""
    photo = Upload.from_bytes("foto.png", png_bytes())
    complaint = carol_complaint(acme, uploads=[photo, photo, photo])
    carol = Actor.consumer(complaint)
    actions.assign(complaint, by=as_manon, handler=alice)
    actions.start(complaint, by=as_alice)
    for round_ in range(3):
        actions.add_message(complaint, by=as_alice, body=f"Bericht {round_}", uploads=[photo])
        actions.add_message(complaint, by=as_alice, body=f"Notitie {round_}", internal=True)
        actions.propose_resolution(complaint, by=as_alice, kinds=["refund"], text=f"Voorstel {round_}", refund_amount=10 + round_)
        actions.reject(complaint, by=carol, comment="Te weinig.")
    actions.escalate(complaint, by=carol)
    actions.acknowledge(complaint, by=as_manon)
    actions.decide(
        complaint, by=as_manon, decision="partially_upheld",
        letter=actions.LetterInput(actions_taken="Onderzocht.", conclusions="Deels terecht.", decision="Half terug."),
    )
    complaint.refresh_from_db()
    return complaint


def test_the_detail_does_not_grow_with_the_history(bare_complaint, long_history, warm_api):
    bare, bare_response = queries_of(lambda: warm_api.get(f"/complaints/{bare_complaint.reference}"))
    rich, rich_response = queries_of(lambda: warm_api.get(f"/complaints/{long_history.reference}"))

    assert len(rich_response.json()["attachments"]) == 6
    assert len(rich_response.json()["resolutions"]) == 3
    assert len(rich_response.json()["outcome_letters"]) == 1
    assert bare == rich


def test_the_timeline_does_not_grow_with_the_history(bare_complaint, long_history, warm_api):
    bare, _ = queries_of(lambda: warm_api.get(f"/complaints/{bare_complaint.reference}/timeline"))
    rich, rich_response = queries_of(lambda: warm_api.get(f"/complaints/{long_history.reference}/timeline"))

    assert len(rich_response.json()) > 15
    assert sum(1 for event in rich_response.json() if event["message"]) == 6
    # The token, the complaint, its events, and the texts of the messages they name (none on the bare one).
    assert (bare, rich) == (3, 4)


def test_the_detail_with_its_timeline_does_not_grow_with_the_history(bare_complaint, long_history, warm_api):
    with_timeline = {"include": "timeline"}
    bare, _ = queries_of(lambda: warm_api.get(f"/complaints/{bare_complaint.reference}", with_timeline))
    rich, rich_response = queries_of(lambda: warm_api.get(f"/complaints/{long_history.reference}", with_timeline))
    again, _ = queries_of(lambda: warm_api.get(f"/complaints/{long_history.reference}", with_timeline))

    assert len(rich_response.json()["timeline"]) > 15
    assert sum(1 for event in rich_response.json()["timeline"] if event["message"]) == 6
    assert bare == rich - 1  # no messages to read the texts of
    # The token, the complaint, the view (one statement: written unless this token viewed it this
    # quarter hour), its files, proposals and letters, its policy (escalated: whose stage it is),
    # the events and their messages' texts.
    assert rich == 9
    assert again == rich  # viewed a moment ago: the same statement, writing nothing
    views = long_history.events.filter(kind="personal_data_viewed")
    assert views.count() == 1


def test_the_categories_do_not_grow_with_their_fields(warm_api, acme):
    few, _ = queries_of(lambda: warm_api.get("/categories"))
    for n in range(5):
        category = acme.categories.create(slug=f"extra-{n}", name=f"Extra {n}")
        for k in range(3):
            category.fields.create(key=f"field_{k}", label=f"Field {k}")

    many, response = queries_of(lambda: warm_api.get("/categories"))

    assert len(response.json()) == 7
    assert few == many


def test_filing_with_attachments_does_not_query_per_file(warm_api, acme):
    def filing(count):
        files = [{"filename": f"{n}.png", "content_base64": b64(png_bytes())} for n in range(count)]
        # A fresh address each time: per-address mail bookkeeping must not differ between the two.
        body = {"description": "Kapot.", "contact_name": "Carol", "contact_email": f"carol{count}@example.nl",
                "category": "delivery", "attachments": files}
        with CaptureQueriesContext(connection) as captured:
            response = warm_api.post("/complaints", body)
        assert response.status_code == 201
        assert len(response.json()["attachments"]) == count
        statements = [q["sql"] for q in captured.captured_queries]
        per_file = [sql for sql in statements if sql.startswith('INSERT INTO "complaints_attachment"')]
        return len(per_file), len(statements) - len(per_file)

    one, five = filing(1), filing(5)

    # Each file is one INSERT of its row; nothing else repeats per file.
    assert (one[0], five[0]) == (1, 5)
    assert one[1] == five[1]


def test_filing_reads_back_nothing_it_has_just_written(warm_api):
    """Filing reads the token, the policy, the category and its fields, the staff to notify of the
    new complaint (none at this organisation), and the deadlines that the acknowledgement meets;
    everything else is writing, and the answer is the complaint as filed, with the actions it allows
    (whether there is another category to set is one more read)."""
    with CaptureQueriesContext(connection) as captured:
        response = warm_api.post("/complaints", carol_payload())

    assert response.status_code == 201
    statements = [q["sql"].strip() for q in captured.captured_queries]
    read = [re.search(r'FROM "(\w+)"', sql).group(1) for sql in statements if sql.startswith("SELECT")]
    assert read == [
        "api_apitoken", "policies_policyversion", "organisations_category", "organisations_categoryfield",
        "organisations_membership", "policies_deadline", "organisations_category",
    ]
    # In production the test transaction's savepoint and its release are BEGIN and COMMIT, and the
    # acknowledgement's delivery task is one more INSERT once committed: 21 statements.
    assert len(statements) <= 20, statements
    filed = response.json()
    assert filed["status"] == "acknowledged"
    assert {**filed, "timeline": None} == warm_api.get(f"/complaints/{filed['reference']}").json()
