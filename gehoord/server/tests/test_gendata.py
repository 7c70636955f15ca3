"""gendata: benchmark data that looks like a real complaint desk, quickly, and the same every time.

The in-process tests run on the suite's database (PostgreSQL in CI: the COPY path); one test runs
the command on a fresh SQLite file (the bulk_create path), so both are covered in every run.
"""

import datetime
import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Q

from conftest import make_organisation
from gehoord.complaints.models import Attachment, Complaint, Event, Message, Publication, Stage, Status
from gehoord.complaints.references import looks_like_reference
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Membership, Organisation
from gehoord.policies import deadlines
from gehoord.platform.models import CompanyMonth, CompanyScore
from gehoord.policies.models import Deadline
from gehoord.complaints.sweep import sweep
from gehoord.server import gendata

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="class")
def thousand(django_db_setup, django_db_blocker):
    """A thousand complaints, made once for the class and committed; emptied again afterwards."""
    with django_db_blocker.unblock():
        result = gendata.generate(1000, seed=7, now=NOW)
        try:
            yield result
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            call_command("flush", interactive=False, verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {gendata.MARKER_TABLE}")


@pytest.mark.django_db
class TestAThousandComplaints:
    def test_every_status_and_every_stage_occurs(self, thousand):
        assert set(Complaint.objects.values_list("status", flat=True)) == set(Status.values)
        assert set(Complaint.objects.values_list("stage", flat=True)) == set(Stage.values)
        assert sum(thousand.statuses.values()) == Complaint.objects.count() == 1000
        # Most complaints are old and closed; a realistic minority is still open.
        open_share = Complaint.objects.open().count() / 1000
        assert 0.05 < open_share < 0.25
        assert Complaint.objects.filter(status=Status.CLOSED).count() > 500


    def test_ten_organisations_of_uneven_size_with_their_own_policies_and_staff(self, thousand):
        sizes = sorted(Organisation.objects.annotate(n=Count("complaints")).values_list("n", flat=True), reverse=True)
        assert len(sizes) == 10
        assert sizes[0] > 5 * sizes[-1] > 0
        assert {org.policy_versions.get().preset for org in Organisation.objects.all()} == {
            "vxhome", "webshop-board", "welzo", "inverter"
        }
        assert Membership.objects.filter(role="manager").values("organisation").distinct().count() == 10
        # The webshop's policy makes the order number the reference; everyone else gets KL-YY-XXXXXX.
        webshop = Complaint.objects.filter(organisation__slug="northbridge")
        assert all(c.reference == c.order_number for c in webshop[:50])
        others = Complaint.objects.exclude(organisation__slug__in=["northbridge", "parcelpoint"])
        assert all(looks_like_reference(ref) for ref in others.values_list("reference", flat=True)[:200])


    def test_timelines_messages_deadlines_and_mail_in_realistic_proportions(self, thousand):
        per_complaint = {name: count / 1000 for name, count in thousand.rows.items()}
        assert 5 <= per_complaint["event"] <= 9
        assert 2 <= per_complaint["message"] <= 4
        assert 2 <= per_complaint["deadline"] <= 4
        assert 0.2 <= per_complaint["attachment"] <= 1.5
        assert 2 <= per_complaint["mail"] <= 6
        assert Event.objects.count() == thousand.rows["event"]
        assert Message.objects.count() == thousand.rows["message"]
        assert set(Message.objects.values_list("kind", flat=True)) == {"consumer", "staff", "note"}
        # Every complaint starts with its receipt.
        assert Event.objects.filter(kind="received").count() == 1000
        assert Attachment.objects.filter(message__isnull=False).exists()
        assert Attachment.objects.filter(message__isnull=True).exists()


    def test_deadlines_are_met_missed_open_paused_and_cancelled(self, thousand):
        states = Counter(
            "met" if d.met_at and not d.missed_at else "missed" if d.missed_at else "cancelled" if d.cancelled_at
            else "paused" if d.paused_at else "open"
            for d in Deadline.objects.all()
        )
        assert states["met"] > states["missed"] > 0
        assert states["open"] > 0 and states["paused"] > 0 and states["cancelled"] > 0
        # A missed deadline is on the timeline, as the sweep would have put it there.
        assert Event.objects.filter(kind="deadline_missed").count() == Deadline.objects.filter(missed_at__isnull=False).count()


    def test_the_data_agrees_with_itself(self, thousand):
        # At the instant the data was made, nothing is due: the "nothing due" benchmark relies on it.
        assert not Deadline.objects.filter(next_check_at__lte=NOW).exists()
        assert sweep(now=NOW).checked == 0
        # next_deadline_at is what the deadline hooks would have kept.
        for complaint in Complaint.objects.open().order_by("id")[:40]:
            stored = complaint.next_deadline_at
            deadlines.refresh_next_deadline(complaint)
            assert complaint.next_deadline_at == stored
        # Timeline events about messages point at that complaint's messages.
        about_messages = Event.objects.filter(data__has_key="message_id")
        messages = dict(Message.objects.values_list("id", "complaint_id"))
        assert about_messages.exists()
        assert all(messages[e.data["message_id"]] == e.complaint_id for e in about_messages)
        # Each mail has its own Message-ID (the inbound pipeline recognises replies by it).
        assert OutboundMail.objects.values("message_id").distinct().count() == OutboundMail.objects.count()
        closed = Complaint.objects.filter(status=Status.CLOSED)
        assert not closed.filter(closed_at__isnull=True).exists()
        assert not Complaint.objects.filter(Q(status=Status.RECEIVED) & Q(acknowledged_at__isnull=False)).exists()


    def test_dutch_and_english_texts_of_realistic_length(self, thousand):
        languages = Counter(Complaint.objects.values_list("contact_language", flat=True))
        assert languages["nl"] > 300 and languages["en"] > 300
        lengths = [len(text) for text in Complaint.objects.values_list("description", flat=True)]
        assert 250 < sum(lengths) / len(lengths) < 1500
        dutch = Complaint.objects.filter(contact_language="nl").values_list("description", flat=True)[:50]
        english = Complaint.objects.filter(contact_language="en").values_list("description", flat=True)[:50]
        assert sum(" ik " in text or "Ik " in text for text in dutch) > 40
        assert sum(" I " in text for text in english) > 40


def test_asking_again_for_the_same_size_reuses_the_data(db):
    first = gendata.generate(60, 3, seed=2, now=NOW)
    again = gendata.generate(60, 3, seed=2, now=NOW)
    assert not first.reused and again.reused
    assert Complaint.objects.count() == 60
    assert again.rows == first.rows
    with pytest.raises(gendata.GendataError, match="another size"):
        gendata.generate(80, 3, seed=2, now=NOW)
    replaced = gendata.generate(80, 3, seed=2, now=NOW, replace=True)
    assert not replaced.reused and Complaint.objects.count() == 80


def test_it_refuses_a_database_with_other_complaints(db, complaint):
    with pytest.raises(gendata.GendataError, match="did not make"):
        gendata.generate(10, 2, now=NOW)


def _digest() -> str:
    rows = Complaint.objects.order_by("public_id").values_list(
        "public_id", "status", "stage", "description", "contact_email", "received_at", "next_deadline_at"
    )
    events = Event.objects.order_by("complaint__public_id", "created_at", "kind").values_list(
        "complaint__public_id", "kind", "created_at"
    )
    return hashlib.sha256(repr((list(rows), list(events))).encode()).hexdigest()


def test_the_same_seed_gives_the_same_data(db):
    gendata.generate(80, 4, seed=11, now=NOW)
    first = _digest()
    gendata.generate(80, 4, seed=11, now=NOW, replace=True)
    assert _digest() == first
    gendata.generate(80, 4, seed=12, now=NOW, replace=True)
    assert _digest() != first


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel jobs COPY on their own connections")
@pytest.mark.django_db(transaction=True)
def test_two_jobs_on_postgresql_write_the_same_kind_of_data():
    result = gendata.generate(600, 4, seed=3, now=NOW, jobs=2)
    assert Complaint.objects.count() == 600 == sum(result.statuses.values())
    assert Event.objects.count() == result.rows["event"]
    assert Complaint.objects.values("public_id").distinct().count() == 600
    assert not Deadline.objects.filter(next_check_at__lte=NOW).exists()
    # The sequences were moved past the generated ids: the next row the app writes fits in.
    highest = Event.objects.aggregate(highest=Max("id"))["highest"]
    later = Event.objects.create(
        complaint=Complaint.objects.first(), kind="note_added", created_at=NOW, actor_kind="system", actor_label="Gehoord"
    )
    assert later.pk > highest


def _bulk_table_indexes() -> set[str]:
    tables = [table.model._meta.db_table for table in gendata._tables().values()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        return {definition for (definition,) in cursor.fetchall()}


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="only COPY loads without the indexes")
def test_the_indexes_dropped_for_the_load_are_all_built_again(db):
    before = _bulk_table_indexes()
    gendata.generate(60, 3, seed=2, now=NOW)
    assert _bulk_table_indexes() == before
    assert gendata.INDEX_TABLE not in connection.introspection.table_names()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="only COPY loads without the indexes")
def test_the_next_run_builds_the_indexes_an_interrupted_run_left_out(db):
    before = _bulk_table_indexes()
    gendata._drop_indexes()  # what a run stopped during the load leaves behind, with its organisations
    make_organisation("halfway")
    assert len(_bulk_table_indexes()) < len(before)
    # The next run refuses the half-filled database, but not before it has built the indexes again.
    with pytest.raises(gendata.GendataError, match="did not make"):
        gendata.generate(60, 3, seed=2, now=NOW)
    assert _bulk_table_indexes() == before


SQLITE_RUN = """
import django, io
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
call_command("migrate", interactive=False, verbosity=0)
for complaints in (120, 120, 50):
    out = io.StringIO()
    try:
        call_command("gendata", complaints=complaints, organisations=3, stdout=out)
    except CommandError as problem:
        out.write(f"refused: {problem}")
    print(out.getvalue())
"""


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the suite itself runs these tests on SQLite")
def test_the_command_fills_a_fresh_sqlite_database(tmp_path):
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'gendata.sqlite3'}", "GEHOORD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gehoord.settings",
    }
    done = subprocess.run([sys.executable, "-c", SQLITE_RUN], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    made, again, other = done.stdout.split("\n\n")[:3]
    assert "Generated in" in made and "120 complaints" in made
    assert "Reusing 120 complaints" in again
    assert "refused:" in other and "another size" in other


def test_the_platform_gets_companies_public_and_private_complaints_and_their_score_cards(db):
    result = gendata.generate(50, 2, seed=3, now=NOW, companies=40, platform_complaints=2000)
    assert result.rows["platform_complaint"] == 2000
    companies = Organisation.objects.filter(slug__startswith="bedrijf-")
    assert companies.count() == 40 and not companies.filter(connected=True).exists()
    platform = Complaint.objects.filter(platform=True)
    assert platform.count() == 2000
    assert platform.filter(publication=Publication.PUBLISHED).count() > 800
    assert platform.filter(publication=Publication.PRIVATE).count() > 500
    assert platform.filter(publication=Publication.WITHHELD).exists()
    assert platform.filter(outcome="unanswered").exists() and platform.filter(feedback_resolved=True).exists()
    oldest = platform.order_by("received_at").first().received_at
    assert NOW - oldest > datetime.timedelta(days=500)
    # A reply is public only on a published complaint; every reply is the company's first.
    replies = Message.objects.filter(complaint__platform=True)
    assert replies.count() == platform.filter(first_reply_at__isnull=False).count()
    assert not replies.filter(publication=Publication.PUBLISHED).exclude(complaint__publication=Publication.PUBLISHED).exists()
    # Uneven: the busiest company has several times the average.
    sizes = sorted((c.score.complaints for c in companies.select_related("score")), reverse=True)
    assert sizes[0] > 3 * (sum(sizes) / len(sizes))
    assert CompanyScore.objects.filter(organisation__in=companies, score__isnull=False).count() > 20
    assert CompanyMonth.objects.filter(organisation__in=companies).count() == 40 * 12
    # Asking again reuses it; another platform size is another size.
    assert gendata.generate(50, 2, seed=3, now=NOW, companies=40, platform_complaints=2000).reused
    with pytest.raises(gendata.GendataError, match="another size"):
        gendata.generate(50, 2, seed=3, now=NOW, companies=40, platform_complaints=1000)
