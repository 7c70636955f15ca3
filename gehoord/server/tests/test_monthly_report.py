"""The monthly report: once November is over, Acme's complaint managers get November's report by
mail (the charts inline as PNG, the report as PDF), once, whoever sends it: the sweep or by hand."""

import datetime
import email.policy
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from conftest import make_staff
from gehoord.insights import daily, monthly
from gehoord.insights.models import MonthlyReport
from gehoord.insights.reports import Period
from gehoord.insights.tests import scenario
from gehoord.mail.models import OutboundMail
from gehoord.mail.tests.conftest import sink  # noqa: F401 - the real SMTP sink
from gehoord.organisations.models import Organisation, Role
from gehoord.server import monthly_reports

DECEMBER_FIRST = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)  # 09:00 in Amsterdam


@pytest.fixture
def november(time_machine, acme, alice, manon):
    """The scenario's month at Acme (English, founded in September), summarised on 1 December."""
    Organisation.objects.filter(pk=acme.pk).update(language="en", created_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC))
    scenario.build(time_machine, acme, alice)
    time_machine.move_to(DECEMBER_FIRST, tick=False)
    daily.summarise()
    return Organisation.objects.get(pk=acme.pk)


@pytest.mark.django_db
def test_nothing_is_due_before_the_month_is_over(time_machine, november):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 22, 59, tzinfo=datetime.UTC), tick=False)  # 23:59 in Amsterdam
    assert [(organisation.slug, month.start) for organisation, month in monthly.due()] == [("acme", datetime.date(2026, 10, 1))]
    time_machine.move_to(DECEMBER_FIRST, tick=False)
    assert [(organisation.slug, month.start) for organisation, month in monthly.due()] == [("acme", datetime.date(2026, 11, 1))]


@pytest.mark.django_db
def test_the_managers_get_the_report_once_with_charts_inline_and_a_pdf(
    november, manon, sink, django_capture_on_commit_callbacks  # noqa: F811
):
    second_manager = make_staff(november, "mila", Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_reports.send_due() == 1

    messages = sink.wait_for(2)
    assert sorted(recipients[0] for _, recipients, _ in messages) == [manon.email, second_manager.email]
    mail = email.message_from_bytes(messages[0][2], policy=email.policy.default)
    assert mail["Subject"] == "Monthly complaints report of Acme: November 2026"
    assert mail.get_content_type() == "multipart/mixed"
    related = next(part for part in mail.walk() if part.get_content_type() == "multipart/related")
    html = related.get_body(preferencelist=("html",)).get_content()
    images = [part for part in related.iter_parts() if part.get_content_type() == "image/png"]
    assert len(images) == 11
    for image in images:
        content_id = image["Content-ID"].strip("<>")
        assert f'src="cid:{content_id}"' in html
        assert image.get_content().startswith(b"\x89PNG")
    assert "3 complaints received, 3 ended; 1 open when this report was made." in html
    assert ">Delivery</th><td" in html and "EUR 50.00" in html
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "- Delivery · 2" in text and "http://" in text and "/desk/acme/reports/?month=2026-11" in text
    [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "acme-2026-11.pdf" and pdf.get_content().startswith(b"%PDF")

    # Again from the sweep, and by hand: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_reports.send_due() == 0
        call_command("monthly_report", "--organisation", "acme", "--month", "2026-11")
    assert MonthlyReport.objects.get().recipients == 2
    assert OutboundMail.objects.filter(kind="monthly_report").count() == 2


@pytest.mark.django_db
def test_by_hand_any_month_of_one_organisation(november, manon, capsys):
    call_command("monthly_report", "--organisation", "acme", "--month", "2026-10")
    assert "acme 2026-10: 1 mails" in capsys.readouterr().out
    mail = OutboundMail.objects.get(kind="monthly_report")
    assert mail.subject == "Monthly complaints report of Acme: October 2026" and mail.to_address == manon.email
    assert "1 complaint received, 0 ended; 1 open when this report was made." in mail.body_text


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sweeps need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_it_once(november, manon):
    start, results = threading.Barrier(2), []

    def sweeper():
        try:
            start.wait()
            results.append(monthly_reports.send(november, Period.month(2026, 11)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [1, None]
    assert OutboundMail.objects.filter(kind="monthly_report").count() == 1
