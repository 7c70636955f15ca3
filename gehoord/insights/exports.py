"""The register's exports, CSV and XLSX, of exactly the rows and order the page shows (issue 14).

Neither holds the rows in memory: CSV is written a line at a time into the response as the
database cursor reads them; XLSX goes through openpyxl's write-only workbook into a temporary file
on disk (a ZIP can only be finished once every row is in it), which the response then sends in
chunks. Each export is one entry of the organisation's access log (`RegisterExport`): written
before the first row, its row count set when the stream ends, however it ends.
"""

import csv
import datetime
import tempfile
from collections.abc import Generator, Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from gehoord.complaints.actors import Actor
from gehoord.insights import register
from gehoord.insights.models import RegisterExport
from gehoord.organisations.models import Organisation

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP);
# such a cell is written with a leading apostrophe, which the spreadsheet shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINES_A_PIECE = 200


def inert(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def record(organisation: Organisation, by: Actor, fmt: str, filters: dict) -> RegisterExport:
    return RegisterExport.objects.create(
        organisation=organisation, actor=by.user, actor_label=by.label, format=fmt, filters=filters
    )


def _counted(entry: RegisterExport, rows: Iterable[list[str]]) -> Generator[list[str]]:
    """The rows, and the entry's count of those sent, also when the client goes away halfway."""
    sent = 0
    finished = False
    try:
        for row in rows:
            sent += 1  # handed to the server: counted, even if the client goes away now
            yield row
        finished = True
    finally:
        RegisterExport.objects.filter(pk=entry.pk).update(rows=sent, finished=finished)


class _Line:
    """A file-like target for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def csv_lines(entry: RegisterExport, complaints: QuerySet) -> Iterator[bytes]:
    """The export as CSV (UTF-8 with a byte order mark, so Excel reads the accents), in pieces of
    LINES_A_PIECE lines: a write to the client per line cost more than making the line. The
    headers and labels are read at once, in the request's language; the rows as they are sent."""
    return _csv_pieces(register.headers(extra=True), _counted(entry, register.exported_rows(entry.organisation, complaints)))


def _csv_pieces(header: list[str], rows: Generator[list[str]]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    try:
        yield "\ufeff".encode() + writer.writerow(header).encode()
        piece = []
        for row in rows:
            piece.append(writer.writerow([inert(cell) for cell in row]))
            if len(piece) == LINES_A_PIECE:
                yield "".join(piece).encode()
                piece = []
        if piece:
            yield "".join(piece).encode()
    finally:
        rows.close()  # the access-log entry gets its count now, also when the client went away


def xlsx_file(entry: RegisterExport, complaints: QuerySet):
    """The export as an XLSX workbook in a temporary file, positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=timezone.localdate().isoformat())
    sheet.append(register.headers(extra=True))
    for row in _counted(entry, register.exported_rows(entry.organisation, complaints)):
        # Every cell is written as a string (openpyxl never turns one into a formula then), but
        # guarded as in CSV: a user may still copy it into a formula bar.
        sheet.append([inert(cell) for cell in row])
    file = tempfile.TemporaryFile()
    try:
        workbook.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


def logged(organisation: Organisation, *, staff_id: int | None = None,
           since: datetime.date | None = None, until: datetime.date | None = None) -> QuerySet:
    """The organisation's register exports for its access log, newest first (filtered as the log is)."""
    found = RegisterExport.objects.filter(organisation=organisation)
    if staff_id is not None:
        found = found.filter(actor_id=staff_id)
    if since is not None:
        found = found.filter(created_at__date__gte=since)
    if until is not None:
        found = found.filter(created_at__date__lte=until)
    return found.order_by("-created_at", "-id")
