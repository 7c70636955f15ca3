"""Alice opens the complaint register from the desk's menu, narrows it to the complaints that came
in by phone, saves that as a view (which then shows with its count), and downloads the CSV
export, which holds exactly the rows on the page. In both languages."""

import csv

import pytest
from playwright.sync_api import expect

from conftest import carol_complaint
from gehoord.complaints.models import Channel
from gehoord.desk.register_forms import RegisterFilterForm, SavedViewForm
from gehoord.desk.tests.browser.support import by_label, label, log_in, tr
from gehoord.insights.models import RegisterExport, SavedView


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_alice_filters_the_register_saves_a_view_and_exports_it(browse, screenshot, acme, alice, lang):
    by_web = carol_complaint(acme)
    by_phone = carol_complaint(acme, channel="phone", contact_name="Eva Smit", contact_email="eva@example.nl")
    page = browse(lang)
    page.goto("/desk/acme/")
    log_in(page, lang, "alice", "secret-pass-123")
    page.get_by_role("link", name=tr(lang, "Register"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Complaint register"))
    expect(page.get_by_role("link", name=by_web.reference)).to_be_visible()

    by_label(page, label(lang, RegisterFilterForm, "channel")).select_option(Channel.PHONE.value)
    page.get_by_role("button", name=tr(lang, "Filter"), exact=True).click()
    expect(page.get_by_role("link", name=by_phone.reference)).to_be_visible()
    expect(page.get_by_role("link", name=by_web.reference)).to_have_count(0)

    by_label(page, label(lang, SavedViewForm, "name")).fill("Telefoon")
    page.get_by_role("button", name=tr(lang, "Save these filters as a view")).click()
    saved = page.locator(".saved-view-list li", has_text="Telefoon")
    expect(saved.locator(".count")).to_have_text("1")
    assert SavedView.objects.get().query == "q=&status=&stage=&category=&channel=phone&handler=&product=&outcome=&kept=&due=&received_from=&received_until=&order="
    screenshot(page, "desk-register")

    with page.expect_download() as download:
        page.get_by_role("link", name=tr(lang, "Export as CSV")).click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    shown = page.locator("table.register tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )
    assert [row[: len(shown[0])] for row in rows] == shown
    assert rows[0][0] == by_phone.reference and header[0] == tr(lang, "Reference")
    assert RegisterExport.objects.get().filters == {"channel": "phone"}
