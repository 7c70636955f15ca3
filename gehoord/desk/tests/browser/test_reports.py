"""The report pages in a real browser, in Dutch and English: VXhome's complaint manager Manon reads
the report of the last 30 days and then a month she chooses; moderator Mona reads the report on
VXhome's platform complaints. No console errors, no CSP violation; screenshots of each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint
from gehoord.desk.insight_forms import PeriodForm
from gehoord.desk.tests.browser.support import by_label, label, log_in, seed_organisation, tr
from gehoord.insights import daily
from gehoord.platform.filing import file_on_platform
from gehoord.platform.tests.accounts_support import PASSWORD, moderator

pytestmark = pytest.mark.django_db(transaction=True)


def vxhome_with_complaints():
    vxhome = seed_organisation("vxhome")
    category = vxhome.categories.order_by("slug").first().slug
    for product, channel in (("Boxspring", "web"), ("Boxspring", "email"), ("Lamp", "phone")):
        carol_complaint(vxhome, product=product, channel=channel, category=category)
    new = NewComplaint(description="Nooit geleverd.", contact_name="Carol", contact_email="carol@example.nl",
                       product="Kast", category=category)
    closed = file_on_platform(vxhome, new, by=Actor.system())
    actions.withdraw(closed, by=Actor.consumer(closed))
    # Past the settling time, as the sweep would be a few minutes later.
    daily.summarise(now=timezone.now() + daily.SETTLE + datetime.timedelta(minutes=1))
    return vxhome


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_manager_reads_the_report_and_chooses_a_month(lang, browse, screenshot):
    vxhome_with_complaints()
    page = browse(lang)
    page.goto("/desk/vxhome/reports/")
    log_in(page, lang, "manon@vxhome")

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Reports"))
    charts = page.get_by_role("img")
    expect(charts).to_have_count(11)
    category_table = page.locator("section", has=page.get_by_role("heading", name=tr(lang, "By product"), exact=True)).locator("table")
    expect(category_table.locator("tbody tr").first).to_contain_text("Boxspring")
    expect(category_table.locator("tbody tr").first).to_contain_text("2")
    screenshot(page, "reports")

    this_month = timezone.localdate()
    by_label(page, label(lang, PeriodForm, "month")).fill(f"{this_month:%Y-%m}")
    page.get_by_role("button", name=tr(lang, "Show"), exact=True).click()
    expect(page.locator(".report-period")).to_contain_text("4")
    page.get_by_role("link", name=tr(lang, "The last 12 months")).click()
    expect(charts).to_have_count(11)

    # A month that does not exist is refused, with the reason.
    browse.allow("400")
    page.goto("/desk/vxhome/reports/?month=2026-13")
    expect(page.get_by_role("alert")).to_contain_text(tr(lang, "Give the month as year and month, e.g. 2026-11."))
    screenshot(page, "reports-bad-period")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_moderator_reads_the_report_on_a_company_s_platform_complaints(lang, browse, screenshot):
    vxhome_with_complaints()
    moderator("mona")
    page = browse(lang)
    page.goto("/moderatie/bedrijven/vxhome/")
    log_in(page, lang, "mona", PASSWORD)
    page.get_by_role("link", name=tr(lang, "Report on its platform complaints")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("VXhome")
    expect(page.get_by_role("img")).to_have_count(11)
    product_table = page.locator("section", has=page.get_by_role("heading", name=tr(lang, "By product"), exact=True)).locator("table")
    expect(product_table.locator("tbody tr")).to_have_count(1)
    expect(product_table).to_contain_text("Kast")
    screenshot(page, "reports-moderation")
