"""Oscar, staff of another organisation, cannot open Acme's complaint in the desk.

He follows a link to Acme's complaint page, logs in, and gets "not found", as if the complaint
did not exist; nothing of it shows, his own queue does not list it, and no view of its personal
data is recorded. In both languages.
"""

import re

import pytest
from playwright.sync_api import expect

from gehoord.desk.tests.browser.support import by_label, log_in, tr

NOT_FOUND = r"status of 404"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_oscar_cannot_open_acmes_complaint(browse, screenshot, complaint, oscar, lang):
    acme_page = f"/desk/acme/k/{complaint.reference}/"
    browse.allow(NOT_FOUND)  # the answer this test expects; Chromium logs it as a console error
    oscar_page = browse(lang)

    oscar_page.goto(acme_page)
    expect(oscar_page).to_have_url(re.compile(r"/accounts/login/\?next=/desk/acme/k/"))
    expect(oscar_page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Log in to the staff desk"))
    screenshot(oscar_page, "desk-login")
    with oscar_page.expect_response(lambda response: response.url.endswith(acme_page)) as answer:
        log_in(oscar_page, lang, "oscar", "secret-pass-123")
    assert answer.value.status == 404
    screenshot(oscar_page, "desk-not-found", lang=lang)  # Django's plain 404 page says lang="en" in any language
    for private in (complaint.reference, complaint.contact_name, complaint.contact_email, complaint.description, "Acme"):
        assert private not in oscar_page.content()

    # The queue of Acme is no more his than its complaint.
    assert oscar_page.goto("/desk/acme/").status == 404
    assert oscar_page.goto(f"/desk/acme/k/{complaint.reference}/message/").status == 404

    # His own desk is Other's queue, without Acme's complaint.
    oscar_page.goto("/desk/")
    expect(oscar_page).to_have_url(re.compile(r"/desk/other/$"))
    expect(oscar_page.get_by_role("link", name=complaint.reference)).to_have_count(0)
    by_label(oscar_page, tr(lang, "Search")).fill(complaint.reference)
    oscar_page.get_by_role("button", name=tr(lang, "Filter"), exact=True).click()
    expect(oscar_page.locator("#queue-list")).to_contain_text(tr(lang, "No complaints match these filters."))
    expect(oscar_page.get_by_role("link", name=complaint.reference)).to_have_count(0)

    assert not complaint.events.filter(kind="personal_data_viewed").exists()
