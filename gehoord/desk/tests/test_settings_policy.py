"""Settings pages for the complaint policy: show, edit with a preview, publish a new version.

A complaint keeps the policy version in force when it was received, so publishing never moves
an existing deadline. The forms are filled in the way a browser without JavaScript would: read
from the edit page's HTML, changed, posted back.
"""

import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from conftest import carol_complaint
from gehoord.policies.calendar import Duration, Unit
from gehoord.policies.models import Deadline, PolicyVersion
from gehoord.policies.rules import DeadlineKind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Friday 24 April 2026, 10:00 in Amsterdam. Monday 27 April is King's Day, a public holiday.
FRIDAY_MORNING = datetime.datetime(2026, 4, 24, 10, 0, tzinfo=AMSTERDAM)


def url(name, organisation, *args):
    return reverse(f"desk:{name}", args=[organisation.slug, *args])


class FormReader(HTMLParser):
    """What a browser would submit for the form with the given class, as the page shows it."""

    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_class in (attrs.get("class") or "").split()
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value") or "on")
            else:
                self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [self._options[0][0]]
            self.data.setdefault(self._select, []).append(chosen[0])
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that directly follows <textarea>.
            self.data.setdefault(self._textarea, []).append(self._text.removeprefix("\n"))
            self._textarea = None


def form_on(page: str, form_class: str = "policy-editor") -> dict[str, list[str]]:
    reader = FormReader(form_class)
    reader.feed(page)
    assert reader.data, f"no form .{form_class} on the page"
    return reader.data


@pytest.fixture
def as_ada(ada):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(ada)
    return client


@pytest.fixture
def policy_form(as_ada, acme):
    """The edit form as shown for acme's current policy (the vxhome preset): rule 0 acknowledges
    on receipt, rule 1 answers within 14 calendar days; escalation stage 2 exists."""
    response = as_ada.get(url("settings_policy_edit", acme))
    assert response.status_code == 200
    data = form_on(response.content.decode())
    assert data["rules-0-kind"] == ["acknowledge"] and data["rules-1-kind"] == ["respond"]
    return data


def respond_in_two_working_days(data):
    data.update({"rules-1-amount": ["2"], "rules-1-unit": ["working_days"]})
    return data


def versions(organisation):
    return list(PolicyVersion.objects.filter(organisation=organisation).order_by("number"))


# --- Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "manon", "bert", "oscar"])
def test_only_a_company_admin_sees_or_edits_the_policy(request, acme, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("settings_policy", acme)).status_code == 404
    assert client.get(url("settings_policy_edit", acme)).status_code == 404
    assert client.post(url("settings_policy_edit", acme), {"action": "publish"}).status_code == 404
    assert client.post(url("settings_policy_preview", acme), {}).status_code == 404
    assert client.get(url("settings_policy_version", acme, 1)).status_code == 404
    assert len(versions(acme)) == 1


# --- Showing the policy ----------------------------------------------------------------------


def test_the_policy_page_reads_the_policy_texts_in_the_reader_language(ada, acme):
    client = Client(headers={"Accept-Language": "nl"})
    client.force_login(ada)
    page = client.get(url("settings_policy", acme)).content.decode()
    assert "Een inhoudelijk antwoord binnen 14 kalenderdagen na ontvangst" in page
    assert "Bemiddelt kosteloos bij klachten" in page and "Leidinggevende of manager" in page
    assert "A substantive reply" not in page and "Mediates free of charge" not in page


def test_the_editor_keeps_both_languages_of_a_text(as_ada, acme, policy_form):
    policy_form.update({
        "bodies-0-description_nl": ["Bemiddelt gratis."], "bodies-0-description_en": ["Mediates for free."],
        "action": ["publish"], "change_note": ["Shorter description of WebwinkelKeur"],
    })
    as_ada.post(url("settings_policy_edit", acme), policy_form)
    body = PolicyVersion.objects.current(acme).spec.external_bodies[0]
    assert (body.description.nl, body.description.en) == ("Bemiddelt gratis.", "Mediates for free.")


def test_the_editor_lists_countries_in_the_reader_language(ada, acme):
    client = Client(headers={"Accept-Language": "nl"})
    client.force_login(ada)
    page = client.get(url("settings_policy_edit", acme)).content.decode()
    assert '<option value="DE">Duitsland (DE)</option>' in page
    assert '<option value="NL" selected>Nederland (NL)</option>' in page


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_the_policy_page_shows_the_version_in_force_and_when_a_complaint_now_would_be_due(as_ada, acme):
    page = as_ada.get(url("settings_policy", acme)).content.decode()
    assert "Version 1 is in force" in page
    assert "vxhome" in page and "Europe/Amsterdam" in page
    assert "14 calendar days" in page and "A substantive reply within 14 calendar days of receipt" in page
    assert "Seed" not in page and "§" not in page
    assert '<a href="https://www.webwinkelkeur.nl/kennisbank/consumenten/geschil"' in page
    assert "Team leader or manager" in page and "WebwinkelKeur" in page
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in page
    # Received on Friday 24 April at 10:00: acknowledged at once; the answer is due at the end
    # of the 14th calendar day after, Friday 8 May, 23:59:59 Amsterdam time.
    assert 'datetime="2026-04-24T10:00:00+02:00"' in page
    assert 'datetime="2026-05-08T23:59:59+02:00"' in page
    assert "Friday 8 May 2026, 23:59" in page


def test_the_edit_form_starts_from_the_policy_in_force(policy_form):
    assert policy_form["timezone"] == ["Europe/Amsterdam"]
    assert policy_form["country"] == ["NL"]
    assert policy_form["working_weekdays"] == ["0", "1", "2", "3", "4"]
    assert policy_form["opens"] == ["09:00"] and policy_form["closes"] == ["17:00"]
    assert policy_form["rules-1-amount"] == ["14"] and policy_form["rules-1-unit"] == ["calendar_days"]
    assert policy_form["rules-1-demands_update"] == ["on"]
    assert policy_form["rules-1-reminder_amount"] == ["1"]
    assert policy_form["stages-0-number"] == ["2"] and policy_form["stages-0-handled_by"] == ["manager"]
    assert policy_form["bodies-0-name_nl"] == ["WebwinkelKeur"]
    assert policy_form["auto_acknowledge"] == ["on"]
    assert policy_form["rules-TOTAL_FORMS"] == ["4"]  # two rules and two empty rows to add more


# --- Preview ---------------------------------------------------------------------------------


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_the_preview_shows_the_hand_worked_due_dates_and_publishes_nothing(as_ada, acme, policy_form):
    data = respond_in_two_working_days(policy_form)
    data["action"] = ["preview"]
    response = as_ada.post(url("settings_policy_edit", acme), data)
    assert response.status_code == 200
    page = response.content.decode()
    # Two working days from Friday 24 April: Monday 27 is King's Day, so Tuesday 28 and
    # Wednesday 29 April count; due at the end of Wednesday.
    assert 'datetime="2026-04-29T23:59:59+02:00"' in page
    assert "Wednesday 29 April 2026, 23:59" in page
    # The reminder, one working day before: the start of Tuesday 28 April.
    assert 'datetime="2026-04-28T00:00:00+02:00"' in page
    assert 'datetime="2026-04-24T10:00:00+02:00"' in page  # acknowledged on receipt
    assert [row.due for row in response.context["preview"]] == [
        datetime.datetime(2026, 4, 24, 10, 0, tzinfo=AMSTERDAM),
        datetime.datetime(2026, 4, 29, 23, 59, 59, tzinfo=AMSTERDAM),
    ]
    assert len(versions(acme)) == 1


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_the_live_preview_answers_htmx_with_the_preview_alone(as_ada, acme, policy_form):
    data = respond_in_two_working_days(policy_form)
    data.update(
        {
            "rules-2-kind": ["escalation_acknowledge"],
            "rules-2-stage": ["2"],
            "rules-2-anchor": ["escalation_requested"],
            "rules-2-amount": ["5"],
            "rules-2-unit": ["working_days"],
            "rules-2-note_en": ["Stage 2 acknowledges within 5 working days."],
        }
    )
    response = as_ada.post(url("settings_policy_preview", acme), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'datetime="2026-04-29T23:59:59+02:00"' in page
    # An escalation requested now: 5 working days, skipping King's Day, is Monday 4 May.
    assert 'datetime="2026-05-04T23:59:59+02:00"' in page
    assert "if an escalation to this stage is requested now" in page
    assert len(versions(acme)) == 1


def test_the_edit_page_has_a_live_preview_and_a_preview_button(as_ada, acme):
    page = as_ada.get(url("settings_policy_edit", acme)).content.decode()
    assert f'hx-post="{url("settings_policy_preview", acme)}"' in page
    assert 'name="action" value="preview"' in page
    assert 'name="action" value="publish"' in page


# --- Publishing ------------------------------------------------------------------------------


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_publishing_makes_version_2_and_existing_complaints_keep_version_1_and_their_deadlines(
    as_ada, acme, ada, policy_form
):
    earlier = carol_complaint(acme)
    deadlines_before = list(Deadline.objects.filter(complaint=earlier).values_list("kind", "stage", "due_at"))
    assert (DeadlineKind.respond, 1, datetime.datetime(2026, 5, 8, 21, 59, 59, tzinfo=datetime.UTC)) in deadlines_before

    data = respond_in_two_working_days(policy_form)
    data.update({"action": ["publish"], "change_note": ["Answer within 2 working days"]})
    response = as_ada.post(url("settings_policy_edit", acme), data)
    assert response.status_code == 302
    assert response["Location"] == url("settings_policy", acme)

    first, second = versions(acme)
    assert (second.number, second.created_by, second.change_note, second.preset) == (
        2,
        ada,
        "Answer within 2 working days",
        "vxhome",
    )
    assert second.spec.rule_for(DeadlineKind.respond).duration == Duration(2, Unit.working_days)
    assert first.spec.rule_for(DeadlineKind.respond).duration == Duration(14, Unit.calendar_days)
    assert second.spec.stages == first.spec.stages
    assert second.spec.external_bodies == first.spec.external_bodies

    earlier.refresh_from_db()
    assert earlier.policy == first
    assert list(Deadline.objects.filter(complaint=earlier).values_list("kind", "stage", "due_at")) == deadlines_before

    later = carol_complaint(acme)
    assert later.policy == second
    respond = Deadline.objects.get(complaint=later, kind=DeadlineKind.respond)
    assert respond.due_at == datetime.datetime(2026, 4, 29, 23, 59, 59, tzinfo=AMSTERDAM)

    page = as_ada.get(url("settings_policy", acme)).content.decode()
    assert "Version 2 is in force" in page and "Answer within 2 working days" in page
    assert "2 working days" in as_ada.get(url("settings_policy_version", acme, 2)).content.decode()
    assert "14 calendar days" in as_ada.get(url("settings_policy_version", acme, 1)).content.decode()


def test_publishing_needs_a_change_note(as_ada, acme, policy_form):
    data = respond_in_two_working_days(policy_form)
    data["action"] = ["publish"]
    response = as_ada.post(url("settings_policy_edit", acme), data)
    assert response.status_code == 200
    assert response.context["editor"].main.errors["change_note"]
    assert len(versions(acme)) == 1


def test_publishing_the_same_policy_again_is_refused(as_ada, acme, policy_form):
    policy_form.update({"action": ["publish"], "change_note": ["nothing really"]})
    response = as_ada.post(url("settings_policy_edit", acme), policy_form)
    assert "nothing to publish" in response.content.decode()
    assert len(versions(acme)) == 1


def test_starting_from_a_preset(as_ada, acme):
    page = as_ada.get(url("settings_policy_edit", acme), {"preset": "welzo"}).content.decode()
    data = form_on(page)
    assert data["timezone"] == ["Europe/London"] and data["preset"] == ["welzo"]
    data.update({"action": ["publish"], "change_note": ["Switch to the Welzo procedure"]})
    assert as_ada.post(url("settings_policy_edit", acme), data).status_code == 302
    latest = versions(acme)[-1]
    assert (latest.number, latest.preset) == (2, "welzo")
    assert latest.spec.rule_for(DeadlineKind.escalation_resolve, 2) is not None


def test_a_rule_can_be_removed_and_added_without_javascript(as_ada, acme, policy_form):
    more = as_ada.post(url("settings_policy_edit", acme), {**policy_form, "action": ["add_rule"]})
    data = form_on(more.content.decode())
    assert data["rules-TOTAL_FORMS"] == ["5"]
    data.update(
        {
            "rules-1-DELETE": ["on"],
            "rules-4-kind": ["resolve"],
            "rules-4-anchor": ["received"],
            "rules-4-amount": ["30"],
            "rules-4-unit": ["working_days"],
            "action": ["publish"],
            "change_note": ["Resolve in 30 working days instead of answering in 14 days"],
        }
    )
    assert as_ada.post(url("settings_policy_edit", acme), data).status_code == 302
    spec = versions(acme)[-1].spec
    assert [rule.kind for rule in spec.rules] == [DeadlineKind.acknowledge, DeadlineKind.resolve]
    assert spec.rule_for(DeadlineKind.resolve).duration == Duration(30, Unit.working_days)


# --- Bad input: the error on the field, nothing published --------------------------------------


def publish(as_ada, acme, data):
    data.update({"action": ["publish"], "change_note": ["try"]})
    response = as_ada.post(url("settings_policy_edit", acme), data)
    assert response.status_code == 200
    assert len(versions(acme)) == 1
    return response.context["editor"], response.content.decode()


def test_an_escalation_rule_for_a_stage_that_does_not_exist_is_refused_on_its_stage(as_ada, acme, policy_form):
    policy_form.update(
        {
            "rules-2-kind": ["escalation_resolve"],
            "rules-2-stage": ["3"],
            "rules-2-anchor": ["escalation_requested"],
            "rules-2-amount": ["7"],
            "rules-2-unit": ["calendar_days"],
        }
    )
    editor, page = publish(as_ada, acme, policy_form)
    [problem] = editor.rules.forms[2].errors["stage"]
    assert "needs escalation stage 3" in problem
    assert "Rule 3 — Stage" in page


def test_an_escalation_rule_on_stage_1_is_refused_on_its_stage(as_ada, acme, policy_form):
    policy_form.update(
        {
            "rules-2-kind": ["escalation_acknowledge"],
            "rules-2-stage": ["1"],
            "rules-2-anchor": ["escalation_requested"],
            "rules-2-amount": ["5"],
            "rules-2-unit": ["working_days"],
        }
    )
    editor, _page = publish(as_ada, acme, policy_form)
    assert editor.rules.forms[2].errors["stage"]


def test_the_error_lands_on_the_right_row_when_a_row_above_is_removed(as_ada, acme, policy_form):
    policy_form.update({"rules-0-DELETE": ["on"], "rules-1-anchor": ["escalation_requested"]})
    editor, _page = publish(as_ada, acme, policy_form)
    assert "cannot start at escalation_requested" in editor.rules.forms[1].errors["anchor"][0]
    assert not editor.rules.forms[0].errors


def test_a_target_later_than_the_deadline_is_refused_on_the_target(as_ada, acme, policy_form):
    policy_form["rules-1-target_amount"] = ["20"]
    editor, _page = publish(as_ada, acme, policy_form)
    assert editor.rules.forms[1].errors["target_amount"]


def test_a_rule_without_a_term_is_refused_on_the_term(as_ada, acme, policy_form):
    policy_form["rules-1-amount"] = [""]
    editor, _page = publish(as_ada, acme, policy_form)
    assert editor.rules.forms[1].errors["amount"]


def test_calendar_errors_are_named_on_their_field(as_ada, acme, policy_form):
    policy_form.update({"opens": ["18:00"], "closure_days": ["2026-12-24\n2026-02-30"]})
    editor, page = publish(as_ada, acme, policy_form)
    assert editor.main.errors["closure_days"] == ["2026-02-30, on line 2 of the closure days, is not a date as YYYY-MM-DD."]
    assert "Closure days" in page


def test_closing_before_opening_is_refused_on_closing_time(as_ada, acme, policy_form):
    policy_form.update({"opens": ["18:00"]})
    editor, _page = publish(as_ada, acme, policy_form)
    assert editor.main.errors["closes"] == ["business hours must close after they open"]


def test_an_unknown_region_is_refused_on_the_region(as_ada, acme, policy_form):
    policy_form["subdivision"] = ["XX"]
    editor, _page = publish(as_ada, acme, policy_form)
    assert "NL has no subdivision 'XX'" in editor.main.errors["subdivision"][0]


def test_no_working_days_is_refused(as_ada, acme, policy_form):
    del policy_form["working_weekdays"]
    editor, _page = publish(as_ada, acme, policy_form)
    assert editor.main.errors["working_weekdays"]


def test_the_preview_of_a_bad_policy_names_the_field(as_ada, acme, policy_form):
    policy_form["rules-0-anchor"] = ["acknowledged"]
    response = as_ada.post(url("settings_policy_preview", acme), policy_form, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Rule 1 — Counted from" in page and "cannot start at acknowledged" in page
    assert 'href="#id_rules-0-anchor"' in page
