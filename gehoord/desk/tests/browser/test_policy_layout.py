"""The policy's pages at the desk's usual width (1280 px), in Dutch and English: the deadline table
of the policy page fits, and the editor of the longest preset (webshop-board: five rules, escalation,
two external bodies) stays a page one can work through, with no select cutting off its choices."""

import pytest

from gehoord.desk.tests.browser.support import log_in, seed_organisation

pytestmark = pytest.mark.django_db(transaction=True)

# What the page measures: how tall the document is, how wide the widest table is against the page,
# and which selects are narrower than their longest choice.
MEASURE = """
() => ({
  height: document.documentElement.scrollHeight,
  overflowingTables: [...document.querySelectorAll("table")]
    .filter((table) => table.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map((table) => table.caption ? table.caption.textContent.trim() : table.id || "a table"),
  cutSelects: [...document.querySelectorAll("select")]
    .filter((select) => select.scrollWidth > select.clientWidth + 1)
    .map((select) => select.name),
})
"""
# It was 6,500 px, and 8,700 once each text had a Dutch and an English field; with each row folded to one
# line until opened it measured 3,400-3,600 px.
EDITOR_HEIGHT_LIMIT = 4000


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_policy_page_and_its_editor_fit_the_desk_width(lang, browse, screenshot):
    seed_organisation("webshop-board")
    ada = browse(lang)
    ada.goto("/desk/webshop-board/settings/policy/")
    log_in(ada, lang, "ada@webshop-board")
    ada.wait_for_url("**/settings/policy/")

    page = ada.evaluate(MEASURE)
    assert page["overflowingTables"] == [], page
    screenshot(ada, "desk-policy-page")

    ada.goto("/desk/webshop-board/settings/policy/edit/")
    editor = ada.evaluate(MEASURE)
    assert editor["overflowingTables"] == [] and editor["cutSelects"] == [], editor
    assert editor["height"] <= EDITOR_HEIGHT_LIMIT, editor
    screenshot(ada, "desk-policy-editor")
