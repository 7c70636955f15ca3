"""The complaint register (/desk/<org>/register/, issue 14): every complaint of Acme, open and
closed, each filter narrowing to exactly the right ones; CSV and XLSX exports of exactly what the
page shows, streamed, guarded against formulas, and each on the organisation's access log.

The fixed data set: four complaints of Acme and one of Other, received in 2026.
"""

import csv
import datetime
import io
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from conftest import carol_complaint
from gehoord.complaints.models import Complaint, Outcome, Status
from gehoord.desk.tests.conftest import assert_no_inline_code, browser
from gehoord.insights import exports, register
from gehoord.insights.models import RegisterExport
from gehoord.organisations.models import Category
from gehoord.policies.models import Deadline

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REGISTER = reverse("desk:register", args=["acme"])


def export_url(fmt: str) -> str:
    return reverse("desk:register_export", args=["acme", fmt])


def at(day: int, month: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 9, 30, tzinfo=AMSTERDAM)


@pytest.fixture
def complaints(acme, alice, manon, other):
    """Carol's delivery complaint, closed and upheld, deadlines met; Dirk's about a lamp, at stage 2
    with Manon, a deadline missed; Eva's by phone, unassigned and new; Frits's withdrawn by e-mail."""
    carol = carol_complaint(acme, product="Boxspring Deluxe")
    dirk = carol_complaint(acme, contact_name="Dirk Jansen", contact_email="dirk@example.nl", product="Lamp",
                           description="De lamp flikkert.")
    eva = carol_complaint(acme, contact_name="Eva Smit", contact_email="eva@example.nl", product="boxspring deluxe",
                          channel="phone", description="Geen reactie op mijn telefoontje.")
    frits = carol_complaint(acme, contact_name="=HYPERLINK(\"http://evil.example\")", contact_email="frits@example.nl",
                            channel="email", description="Ik trek mijn klacht in.")
    product = Category.objects.get(organisation=acme, slug="product")
    Complaint.objects.filter(pk=carol.pk).update(
        received_at=at(10, 1), status=Status.CLOSED, outcome=Outcome.UPHELD, handler=alice, next_deadline_at=None,
        closed_at=at(20, 1),
    )
    Complaint.objects.filter(pk=dirk.pk).update(
        received_at=at(5, 2), status=Status.INVESTIGATING, stage=2, handler=manon, category=product,
    )
    Complaint.objects.filter(pk=eva.pk).update(received_at=at(1, 3), status=Status.RECEIVED)
    Complaint.objects.filter(pk=frits.pk).update(
        received_at=at(15, 3), status=Status.WITHDRAWN, handler=alice, next_deadline_at=None, category=None,
    )
    Deadline.objects.filter(complaint=carol).update(met_at=at(12, 1), due_at=at(24, 1))
    Deadline.objects.filter(complaint=dirk).update(missed_at=at(20, 2), due_at=at(19, 2))
    Deadline.objects.filter(complaint=eva).update(met_at=None)  # nothing done yet
    Deadline.objects.filter(complaint=frits).update(met_at=at(30, 3), due_at=at(29, 3))  # met, but late
    carol_complaint(other, product="Boxspring Deluxe")  # another organisation's: never in Acme's register
    return {"carol": carol.reference, "dirk": dirk.reference, "eva": eva.reference, "frits": frits.reference}


class _Table(HTMLParser):
    """The cells of the register's table, row by row, as the page shows them."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self._in_body = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif self._in_body and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def shown(answer) -> list[list[str]]:
    assert answer.status_code == 200
    table = _Table()
    table.feed(answer.content.decode())
    return table.rows


def references(answer) -> list[str]:
    return [row[0] for row in shown(answer)]


def test_every_complaint_open_and_closed_newest_first(acme, alice, complaints):
    answer = browser(alice).get(REGISTER)
    assert references(answer) == [complaints[name] for name in ("frits", "eva", "dirk", "carol")]
    html = answer.content.decode()
    assert "4 complaints" in html
    assert_no_inline_code(html)
    first = shown(answer)[-1]
    assert first == [complaints["carol"], "2026-01-10 09:30", "closed", "first line", "Delivery", "web form",
                     "Carol de Vries", "Boxspring Deluxe", "Alice", "upheld", ""]


@pytest.mark.parametrize(("query", "expected"), [
    ("status=closed", ["carol"]),
    ("status=open", ["eva", "dirk"]),
    ("stage=2", ["dirk"]),
    ("category=product", ["dirk"]),
    ("channel=phone", ["eva"]),
    ("channel=email", ["frits"]),
    ("handler=none", ["eva"]),
    ("product=BOXSPRING+deluxe", ["eva", "carol"]),
    ("outcome=upheld", ["carol"]),
    ("kept=missed", ["frits", "dirk"]),
    ("kept=met", ["carol"]),
    ("received_from=2026-02-05&received_until=2026-03-01", ["eva", "dirk"]),
    ("received_until=2026-01-10", ["carol"]),
    ("q=lamp", ["dirk"]),
    ("status=open&product=lamp", ["dirk"]),
    ("order=oldest", ["carol", "dirk", "eva", "frits"]),
])
def test_each_filter_narrows_to_exactly_its_complaints(acme, alice, complaints, query, expected):
    answer = browser(alice).get(f"{REGISTER}?{query}")
    assert references(answer) == [complaints[name] for name in expected]


def test_a_handler_filter_by_id(acme, alice, manon, complaints):
    assert references(browser(alice).get(f"{REGISTER}?handler={alice.pk}")) == [complaints["frits"], complaints["carol"]]


def test_a_value_that_is_no_choice_is_ignored_not_an_error(acme, alice, complaints):
    answer = browser(alice).get(f"{REGISTER}?status=nonsense&stage=x&received_from=yesterday&page=-3")
    assert len(references(answer)) == 4


def test_pages_of_fifty(acme, alice, complaints):
    for number in range(51):
        carol_complaint(acme, contact_name=f"Klant {number}", contact_email=f"klant{number}@example.nl")
    first, second = browser(alice).get(REGISTER), browser(alice).get(f"{REGISTER}?page=2")
    assert len(references(first)) == 50 and len(references(second)) == 5
    assert "Page 1 of 2" in first.content.decode() and 'rel="next"' in first.content.decode()
    assert not set(references(first)) & set(references(second))


def test_an_outsider_or_a_company_admin_gets_404(acme, oscar, ada, complaints):
    for person in (oscar, ada):
        assert browser(person).get(REGISTER).status_code == 404
        assert browser(person).get(export_url("csv")).status_code == 404
    assert not RegisterExport.objects.exists()


def test_the_nav_links_the_register(acme, alice, complaints):
    assert f'href="{REGISTER}"' in browser(alice).get(reverse("desk:queue", args=["acme"])).content.decode()


def _csv(answer) -> list[list[str]]:
    assert answer.streaming
    body = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_export_is_exactly_what_the_page_shows_streamed(acme, alice, complaints):
    query = "status=all&channel=web&order=oldest"
    page = shown(browser(alice).get(f"{REGISTER}?{query}"))
    answer = browser(alice).get(f"{export_url('csv')}?{query}")
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith('attachment; filename="klachtenregister-acme-')
    header, *rows = _csv(answer)
    width = len(register.headers(extra=False))
    assert header[:width] == register.headers(extra=False)
    assert header[width:] == ["Order number", "Team", "Acknowledged", "Resolved", "Closed", "Internal id"]
    assert [row[:width] for row in rows] == page
    assert rows[0][width + 4] == "2026-01-20 09:30"  # Carol's closure, in Amsterdam's time


def test_a_cell_that_would_be_a_formula_is_written_as_text(acme, alice, complaints):
    rows = _csv(browser(alice).get(f"{export_url('csv')}?channel=email"))
    assert rows[1][6] == "'=HYPERLINK(\"http://evil.example\")"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(browser(alice).get(f"{export_url('xlsx')}?channel=email").streaming_content)))
    cell = workbook.active.cell(row=2, column=7)
    assert cell.value == "'=HYPERLINK(\"http://evil.example\")" and cell.data_type == "s"


def test_the_xlsx_export_reads_back_as_the_page(acme, alice, complaints):
    page = shown(browser(alice).get(f"{REGISTER}?status=all"))
    answer = browser(alice).get(f"{export_url('xlsx')}?status=all")
    assert answer.streaming
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    header, *rows = [[cell if cell is not None else "" for cell in row] for row in workbook.active.iter_rows(values_only=True)]
    width = len(register.headers(extra=False))
    assert header[:width] == register.headers(extra=False)
    assert [row[:width] for row in rows] == [[cell.replace("=", "'=", 1) if cell.startswith("=") else cell for cell in row] for row in page]


def test_each_export_is_one_access_log_entry_with_who_which_filters_and_how_many(acme, alice, ada, complaints):
    b"".join(browser(alice).get(f"{export_url('csv')}?status=open&q=&product=lamp").streaming_content)
    answer = browser(alice).get(f"{export_url('xlsx')}?channel=phone")
    b"".join(answer.streaming_content)
    first, second = RegisterExport.objects.order_by("id")
    assert (first.actor, first.actor_label, first.format, first.rows, first.finished) == (alice, "Alice", "csv", 1, True)
    assert first.filters == {"status": "open", "product": "lamp"}
    assert (second.format, second.filters, second.rows) == ("xlsx", {"channel": "phone"}, 1)
    log = browser(ada).get(reverse("desk:settings_access_log", args=["acme"])).content.decode()
    assert "Register exported" in log and "product: lamp" in log


# Outside a test transaction: the response's close ends the request, which may close the database
# connection as it does between real requests (on PostgreSQL it did, inside the test's transaction).
@pytest.mark.django_db(transaction=True)
def test_an_export_cut_off_halfway_is_logged_with_the_rows_sent(acme, alice, complaints, monkeypatch):
    monkeypatch.setattr(exports, "LINES_A_PIECE", 1)  # a piece a row: the client can go away between rows
    answer = browser(alice).get(export_url("csv"))
    lines = iter(answer.streaming_content)
    next(lines), next(lines), next(lines)  # the header and two rows, then the client goes away
    answer.close()
    entry = RegisterExport.objects.get()
    assert (entry.rows, entry.finished) == (2, False)


def test_an_unknown_export_format_is_404(acme, alice, complaints):
    assert browser(alice).get(export_url("pdf")).status_code == 404
    assert not RegisterExport.objects.exists()


def test_a_text_search_or_the_deadlines_kept_are_not_counted_only_paged(acme, alice, complaints):
    for query in ("q=lamp", "kept=missed"):
        html = browser(alice).get(f"{REGISTER}?{query}").content.decode()
        assert "Complaints matching these filters" in html and "2 complaints" not in html and "1 complaint" not in html


def test_the_count_stops_at_the_cap(acme, alice, complaints, monkeypatch):
    monkeypatch.setattr(register, "COUNT_CAP", 3)
    html = browser(alice).get(REGISTER).content.decode()
    assert "More than 3 complaints" in html and "Page 1 of" not in html


def test_a_click_on_a_column_header_sorts_by_it_keeping_the_filters(acme, alice, complaints):
    html = browser(alice).get(f"{REGISTER}?channel=web&page=1").content.decode()
    assert 'aria-sort="descending"' in html  # newest first, by received
    assert f'href="{REGISTER}?channel=web&amp;order=oldest"' in html
    assert f'href="{REGISTER}?channel=web&amp;order=reference"' in html
    oldest = browser(alice).get(f"{REGISTER}?order=oldest")
    assert references(oldest) == [complaints[name] for name in ("carol", "dirk", "eva", "frits")]
    assert f'href="{REGISTER}?order=received"' in oldest.content.decode()
