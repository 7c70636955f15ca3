"""The complaint page: the whole file, with only the actions the reader may take now.

Carol's complaint at Acme runs on `vxhome` (acknowledged on receipt; stage 2 is the complaint
manager). The shop runs on `webshop-board` (a person acknowledges; the order number is the
reference; an escalation goes straight to the board, stage 3).
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.models import Event
from gehoord.desk.tests.conftest import PDF, action_url, assert_no_inline_code, offered_actions, page_url, png_bytes


@pytest.fixture
def carols(acme):
    return carol_complaint(
        acme,
        category="product",
        field_values={"serial_number": "SN-4242"},
        order_number="VX-1001",
        product="Boxspring Oslo",
        desired_solution="Een nieuwe boxspring.",
        contact_phone="+31 6 5555 0000",
        uploads=[Upload.from_bytes("schade.png", png_bytes()), Upload.from_bytes("bon.pdf", PDF)],
    )


def test_the_page_shows_the_complaint_its_fields_and_the_complainant(as_alice_browser, carols):
    response = as_alice_browser.get(page_url(carols))

    html = response.content.decode()
    assert response.status_code == 200
    assert carols.reference in html
    assert "De boxspring kwam beschadigd aan." in html
    assert "<dt>Serial number</dt>" in html and "SN-4242" in html
    assert "VX-1001" in html and "Boxspring Oslo" in html and "Een nieuwe boxspring." in html
    assert "Carol de Vries" in html and "carol@example.nl" in html and "+31 6 5555 0000" in html
    assert_no_inline_code(html)


def test_images_are_previewed_through_the_desk_and_other_files_are_downloads(as_alice_browser, carols):
    image, pdf = carols.attachments.order_by("id")
    html = as_alice_browser.get(page_url(carols)).content.decode()

    image_url = page_url(carols, "desk:attachment", image.pk)
    pdf_url = page_url(carols, "desk:attachment", pdf.pk)
    assert f'<img src="{image_url}" alt="schade.png"' in html
    assert f'<img src="{pdf_url}"' not in html
    assert f'href="{pdf_url}" download' in html
    assert "/uploads/" not in html  # never straight from MEDIA_URL

    shown = as_alice_browser.get(image_url)
    downloaded = as_alice_browser.get(pdf_url)
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content)[:4] == b"\x89PNG"
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert 'filename="bon.pdf"' in downloaded["Content-Disposition"]


def test_a_file_of_another_complaint_is_not_found_under_this_one(as_alice_browser, carols, acme):
    other = carol_complaint(acme, uploads=[Upload.from_bytes("andere.pdf", PDF)])

    response = as_alice_browser.get(page_url(carols, "desk:attachment", other.attachments.get().pk))

    assert response.status_code == 404


def test_every_view_of_the_personal_data_is_recorded_once_a_quarter_hour(as_alice_browser, alice, carols, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC), tick=False)
    as_alice_browser.get(page_url(carols))
    as_alice_browser.get(page_url(carols))  # a reload: the same view
    time_machine.move_to(datetime.datetime(2026, 3, 2, 14, 20, tzinfo=datetime.UTC), tick=False)
    as_alice_browser.get(page_url(carols))

    views = Event.objects.filter(complaint=carols, kind="personal_data_viewed")
    assert views.count() == 2
    assert {view.actor for view in views} == {alice}
    assert not any(view.consumer_visible for view in views)
    html = as_alice_browser.get(page_url(carols)).content.decode()
    assert "Personal data viewed 2 times" in html


def test_the_timeline_shows_events_messages_and_notes(as_alice_browser, as_alice, as_manon, alice, carols):
    actions.assign(carols, by=as_manon, handler=alice)
    actions.add_message(carols, by=as_alice, body="Kunt u een foto van het label sturen?")
    actions.add_message(carols, by=as_alice, body="Carol belde: ze is boos.", internal=True)
    actions.add_message(
        carols,
        by=Actor.consumer(carols),
        body="Hier is de foto.",
        uploads=[Upload.from_bytes("label.png", png_bytes())],
    )

    html = as_alice_browser.get(page_url(carols)).content.decode()

    assert "Complaint received" in html
    assert "Acknowledged" in html
    assert "Assigned to Alice." in html
    assert "Message to the consumer" in html and "Kunt u een foto van het label sturen?" in html
    note = re.search(r'<li class="message-note">(.*?)</li>', html, re.S).group(1)
    assert "Carol belde: ze is boos." in note
    assert "internal: the consumer does not see this" in note
    assert "Message from the consumer" in html and "Hier is de foto." in html
    label = carols.attachments.get(original_name="label.png")
    assert page_url(carols, "desk:attachment", label.pk) in html


def test_the_deadlines_show_their_state_and_the_rule_that_made_them(as_alice_browser, carols):
    html = as_alice_browser.get(page_url(carols)).content.decode()

    table = re.search(r'<table class="deadlines">(.*?)</table>', html, re.S).group(1)
    assert "acknowledgement" in table and "answer" in table
    assert "badge met" in table  # acknowledged on receipt
    assert "running" in table
    assert "14 calendar days from receipt" in table
    assert "A substantive reply within 14 calendar days of receipt" in table
    assert "Seed" not in table


def test_an_extended_deadline_shows_the_reason_and_the_original_date(as_alice_browser, as_manon, carols):
    deadline = carols.deadlines.get(kind="respond")
    actions.extend_deadline(
        carols, by=as_manon, kind="respond", due_at=deadline.due_at.replace(year=deadline.due_at.year + 1),
        reason="We wachten op de leverancier.",
    )

    html = as_alice_browser.get(page_url(carols)).content.decode()

    assert "extended; was due" in html
    assert "Reason: We wachten op de leverancier." in html
    assert "Deadline extended" in html


def _page_queries(client, complaint) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url(complaint)).status_code == 200
    return len(captured)


def test_the_page_takes_the_same_number_of_queries_however_long_the_file(as_alice_browser, as_alice, carols):
    as_alice_browser.get(page_url(carols))  # records this quarter hour's view; the reloads below only look
    few = _page_queries(as_alice_browser, carols)

    for index in range(4):
        actions.add_message(
            carols, by=as_alice, body=f"Bericht {index}", uploads=[Upload.from_bytes(f"foto{index}.png", png_bytes())]
        )
        actions.add_message(carols, by=as_alice, body=f"Notitie {index}", internal=True)
    many = _page_queries(as_alice_browser, carols)

    assert many == few


# --- which actions are offered -----------------------------------------------------------------


def action_form(client, complaint, action: str) -> str:
    """The action's form as the page opens it (htmx fetches it when the action is opened)."""
    response = client.get(action_url(complaint, action), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_forms_are_fetched_when_an_action_is_opened(as_alice_browser, carols):
    html = as_alice_browser.get(page_url(carols)).content.decode()

    withdraw = re.search(r'id="action-withdraw".*?</details>', html, re.S).group(0)
    assert 'hx-trigger="toggle once"' in withdraw and "<form" not in withdraw
    assert f'href="{action_url(carols, "withdraw")}#action-withdraw"' in withdraw  # without JavaScript


def test_alice_at_the_first_line_gets_the_first_line_actions(as_alice_browser, carols):
    html = as_alice_browser.get(page_url(carols)).content.decode()

    assert offered_actions(html) == {
        "assign", "set_category", "start", "ask_info", "propose_resolution", "close", "escalate", "withdraw",
        "reject_as_spam",
    }
    assert 'id="action-message"' in html and 'id="action-note"' in html
    # Taking the complaint on herself is all an agent may do with "assign".
    assert "Take this complaint" in action_form(as_alice_browser, carols, "assign")


def test_manon_also_extends_deadlines_and_assigns_anyone(as_manon_browser, carols, alice, manon):
    html = as_manon_browser.get(page_url(carols)).content.decode()

    assert "extend_deadline" in offered_actions(html)
    assign = action_form(as_manon_browser, carols, "assign")
    assert f'<option value="{alice.pk}"' in assign and f'<option value="{manon.pk}"' in assign


def test_at_stage_2_manon_decides_and_alice_has_no_lifecycle_action(
    as_alice_browser, as_manon_browser, as_alice, carols
):
    actions.escalate(carols, by=as_alice, reason="Carol wil de manager")

    manons = offered_actions(as_manon_browser.get(page_url(carols)).content.decode())
    alices_html = as_alice_browser.get(page_url(carols)).content.decode()

    assert {"acknowledge", "decide", "assign", "withdraw"} <= manons
    assert "propose_resolution" not in manons and "reject_as_spam" not in manons
    assert offered_actions(alices_html) == set()
    assert "There is no lifecycle action for you in this state." in alices_html


def test_at_the_board_stage_of_the_web_shop_only_the_board_decides(
    shop, as_alice_browser, as_manon_browser, as_bert_browser
):
    complaint = carol_complaint(shop, order_number="ORD-1", category="")
    alice = Actor.staff(shop.memberships.get(role="agent").user, shop)
    actions.acknowledge(complaint, by=alice)
    actions.escalate(complaint, by=alice, reason="Carol wants the board to look at it")
    complaint.refresh_from_db()
    assert complaint.stage == 3

    berts = offered_actions(as_bert_browser.get(page_url(complaint)).content.decode())
    manons_html = as_manon_browser.get(page_url(complaint)).content.decode()
    alices = offered_actions(as_alice_browser.get(page_url(complaint)).content.decode())

    assert {"acknowledge", "decide", "assign", "withdraw"} <= berts
    assert "escalate" not in berts  # the board is the last internal stage
    assert "decide" not in offered_actions(manons_html)
    assert "extend_deadline" in offered_actions(manons_html)  # the board's 7-day term
    assert "escalation resolution" in manons_html
    assert alices == set()


def test_a_received_shop_complaint_is_acknowledged_first(shop, as_alice_browser):
    complaint = carol_complaint(shop, order_number="ORD-2", category="")

    offered = offered_actions(as_alice_browser.get(page_url(complaint)).content.decode())

    assert "acknowledge" in offered and "reject_as_spam" in offered
    assert "start" not in offered and "propose_resolution" not in offered


def test_a_closed_complaint_offers_referral_to_the_policys_bodies(as_alice_browser, as_alice, carols):
    actions.close(
        carols, by=as_alice, outcome="not_upheld",
        letter=actions.LetterInput(actions_taken="Gekeken", conclusions="Geen fout", decision="Afgewezen"),
    )

    html = as_alice_browser.get(page_url(carols)).content.decode()

    assert offered_actions(html) == {"refer", "escalate"}
    refer = action_form(as_alice_browser, carols, "refer")
    assert ">WebwinkelKeur</option>" in refer
    assert "Outcome letter" in html and "Geen fout" in html


def test_a_complaint_of_another_organisation_is_not_found(as_alice_browser, other):
    response = as_alice_browser.get(page_url(carol_complaint(other)).replace("/other/", "/acme/"))

    assert response.status_code == 404
