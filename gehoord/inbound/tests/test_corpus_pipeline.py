"""Every recorded .eml of the corpus through the whole pipeline: it reaches the right complaint,
opens the right new complaint, or waits in triage, with the right visible text; none is lost.

The world the corpus was written against: VXhome's desk address (klachten@vxhome.example), where
the consumers' first mails arrive, and the complaints of other organisations whose reply tokens,
references and Message-IDs (…@gehoord.example) the corpus' replies, auto-replies and bounces carry.
"""

import json

import pytest

from conftest import make_organisation
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Complaint
from gehoord.mail.models import FailingAddress, ForeignTicketTag, InboundMail, OutboundMail, ReplyAddress
from gehoord.mail.parsing import parse_message
from gehoord.mail.tests.support import CORPUS, deliver_raw

pytestmark = pytest.mark.django_db

MANIFEST = {entry["file"]: entry for entry in json.loads((CORPUS / "manifest.json").read_text("utf-8"))["messages"]}

# reply token → (reference, the complainant's address); the organisation is "woonhuys".
COMPLAINTS = {
    "c3vq7hx2kd5m": ("KL-26-7QF3MX", "carol@example.nl"),
    "p4tq2wz7nd3k": ("KL-26-H4RW9C", "mark.dewit@example.com"),
    "m7xk2r4vqsba": ("KL-26-B6TKYV", "p.bakker@example.nl"),
    "w2hz6n4kqa7d": ("KL-26-ZP8N2D", "sarah.oneill@example.co.uk"),
    "d5kq3x7mwp2n": ("KL-26-R3JX5T", "f.elamrani@example.nl"),
    "q6nv2ct5xh4j": ("KL-26-KM3V8Q", "tom.hendriks@example.org"),
    "h3bx7mq2tzk6": ("KL-26-N7GQ4W", "l.vandam@example.nl"),
    "z4tk7wd3mv2q": ("KL-26-T8CW3P", "james.carter@example.com"),
    "k2wp5rx3nf7t": ("KL-26-V2DH9M", "sanne.visser@example.nl"),
    "b6mz3qt7kw2x": ("KL-26-F5XB2R", "olivia.brown@example.com"),
    "t7nq2xk4mw5c": ("KL-26-W9PT4K", "henk.mulder@example.nl"),
    "f3xw6kd2qn4b": ("KL-26-C4HM7Y", "a.novak@example.net"),
    "n5kc2wt7xq3z": ("KL-26-X6QD3N", "joost.smit@example.nl"),
    "x7fq4mb2wd6k": ("KL-26-G2RN8V", "rkhan@example.co.uk"),
    "g4vt7nk2bq5w": ("KL-26-Q5MZ2H", "ria.dekker@example.nl"),
    "r5bw2km7tx3q": ("KL-26-P9KD2F", "marieke@postadvies.example"),
    "s6dk3wq7mz2v": ("KL-26-D7WB5X", "r.jacobs@example.nl"),
    "y3mc7rk2xw5d": ("KL-26-M4TQ8Z", "s.groot@example.nl"),
    "e7kw3nd5qb2t": ("KL-26-S3HV7G", "f.bos@example.nl"),
    "k8qt3wm5zb2x": ("KL-26-A3WN6P", "l.maes@example.be"),
    # Platform complaints: the company answers (or its helpdesk auto-replies) to the token.
    "u4hz7bk2nc6q": ("KL-26-E5NF2J", "jan.consument@example.nl"),
    "j7cx2qw5tm3b": ("KL-26-J7CXQW", "els.consument@example.nl"),
    "v2kq6xn3bw7d": ("KL-26-T2FX9B", "piet.consument@example.nl"),
    "w5dk2qt7mx3c": ("KL-26-H9ZC4T", "anna.fietser@example.nl"),
}
# Our mails to companies that bounced (50–53): Message-ID → (token of the complaint, address).
BOUNCED = {
    "8e4a2c6f1b.7a3d9f5b1e8c4a62@gehoord.example": ("meubelmakerij", "info@meubelmakerij-oud.example"),
    "3d7f1b5e9a.8c2e6a0f4b7d1e93@gehoord.example": ("u4hz7bk2nc6q", "klantenservice@woonhuys.example"),
    "6a2e8c4f0d.2d8f4a0c6e2b9f17@gehoord.example": ("tuincentrum", "klachten@tuincentrum-groen.example"),
    "9f1e5b3d7a.4a8c2e6f0b1d5c39@gehoord.example": ("w5dk2qt7mx3c", "service@fietsplaza.example"),
}
ORDER_REFERENCE = ("b3nx7kq2wd5m", "TD-2026-00917", "klant.veldman@example.nl")

NEW = {f"{n:02d}" for n in (16, 17, 21, 22, 24, 28, 29, 30, 31, 32, 33, 34, 36, 39, 60)}
# A shop's web form mailing as itself, its customer in Reply-To: a person confirms who complains.
WEB_FORMS = {"37"}
COMPANY_REPLIES = {"57": "c3vq7hx2kd5m", "58": "w5dk2qt7mx3c", "59": "v2kq6xn3bw7d"}
BOUNCES = {"50": "meubelmakerij", "51": "u4hz7bk2nc6q", "52": "tuincentrum", "53": "w5dk2qt7mx3c"}
NOISE_WITHOUT_COMPLAINT = {"45"}


def expected(file: str) -> tuple[str, str | None]:
    """(what happens, the key of the complaint it happens on) for one corpus file."""
    number = file[:2]
    entry = MANIFEST[file]
    if number in NEW:
        return "new_complaint", None
    if number in COMPANY_REPLIES:
        return "triage", COMPANY_REPLIES[number]
    if number in WEB_FORMS:
        return "triage", None
    if number in BOUNCES:
        return "bounce", BOUNCES[number]
    if number in NOISE_WITHOUT_COMPLAINT:
        return "ignored", None
    (token,) = entry["plus_tokens"]
    return ("auto_reply" if entry["noise"] == "auto_reply" else "message"), token


def build_world(files: list[str]) -> dict[str, Complaint]:
    """The organisations, and the complaints and earlier mails of ours that `files` refer to."""
    make_organisation("vxhome", preset="vxhome", name="VXhome")
    woonhuys = make_organisation("woonhuys", preset="vxhome", name="Woonhuys")
    tuinhuis = make_organisation("tuinhuis", preset="webshop-board", name="Tuinhuis Direct")
    world: dict[str, Complaint] = {}

    def complaint(key: str) -> Complaint:
        if key in world:
            return world[key]
        if key == ORDER_REFERENCE[0]:
            organisation, reference, contact, extra = tuinhuis, "", ORDER_REFERENCE[2], {"order_number": ORDER_REFERENCE[1]}
        else:
            reference, contact = COMPLAINTS.get(key) or {"meubelmakerij": ("KL-26-MBMK2R", "klaas@example.nl"),
                                                         "tuincentrum": ("KL-26-TCGR3N", "bea@example.nl")}[key]
            organisation, extra = woonhuys, {}
        filed = file_complaint(
            organisation,
            NewComplaint(description="Een klacht.", contact_name=contact.partition("@")[0], contact_email=contact, **extra),
            channel="email", by=Actor.system(),
        )
        if reference:
            Complaint.objects.filter(pk=filed.pk).update(public_id=reference, reference=reference)
        ReplyAddress.objects.filter(complaint=filed).delete()
        ReplyAddress.objects.create(complaint=filed, token=key, created_at=filed.received_at)
        world[key] = Complaint.objects.get(pk=filed.pk)
        return world[key]

    for file in files:
        entry = MANIFEST[file]
        tokens = entry["plus_tokens"]
        if len(tokens) == 1:
            target = complaint(tokens[0])
            # Our earlier mails in the thread this mail answers.
            for message_id in parse_message((CORPUS / file).read_bytes()).thread_ids:
                if message_id.endswith("@gehoord.example"):
                    _our_mail(target, message_id, target.contact_email)
        if file[:2] in BOUNCES:
            for message_id, (key, address) in BOUNCED.items():
                if key == BOUNCES[file[:2]]:
                    _our_mail(complaint(key), message_id, address)
    return world


def _our_mail(complaint: Complaint, message_id: str, to: str) -> None:
    OutboundMail.objects.get_or_create(
        message_id=message_id,
        defaults=dict(complaint=complaint, kind="staff_message", to_address=to, language="nl", subject="…",
                      body_text="…", state="sent", created_at=complaint.received_at),
    )


@pytest.fixture(autouse=True)
def reply_domain(settings):
    settings.GEHOORD_REPLY_DOMAIN = "gehoord.example"


def files_starting(*numbers: str) -> list[str]:
    return sorted(name for name in MANIFEST if name[:2] in numbers)


def test_the_corpus_has_enough_messages():
    assert len(MANIFEST) >= 40


@pytest.mark.parametrize("file", sorted(MANIFEST), ids=[f.removesuffix(".eml") for f in sorted(MANIFEST)])
def test_each_corpus_message_reaches_the_right_place_with_the_right_text(file):
    world = build_world([file])
    entry = MANIFEST[file]
    what, key = expected(file)
    before = Complaint.objects.count()

    stored = deliver_raw((CORPUS / file).read_bytes())

    assert stored.malformed is entry["malformed"]
    for snippet in entry["visible_contains"]:
        assert snippet in stored.text_visible
    for snippet in entry["visible_excludes"]:
        assert snippet not in stored.text_visible
    if what == "message":
        assert (stored.state, stored.result, stored.complaint) == ("done", "message", world[key]), stored.triage_reason
        text = stored.complaint_message.body
        for snippet in entry["visible_contains"]:
            assert snippet in text
        for snippet in entry["visible_excludes"]:
            assert snippet not in text
        assert len(entry["attachments"]) == stored.complaint_message.attachments.count() + len(stored.refused_attachments) \
            or any(name.endswith(".eml") for name in entry["attachments"])
    elif what == "new_complaint":
        assert (stored.state, stored.result) == ("done", "new_complaint"), stored.triage_reason
        complaint = stored.complaint
        assert Complaint.objects.count() == before + 1
        assert (complaint.organisation.slug, complaint.channel) == ("vxhome", "email")
        assert complaint.contact_email == entry.get("from_address", stored.from_address)
        for snippet in entry["visible_contains"]:
            assert snippet in complaint.description
        assert OutboundMail.objects.filter(complaint=complaint, kind="acknowledgement").exists()
    elif what == "triage" and key is None:
        assert (stored.state, stored.suggested_contact_email) == ("triage", entry["reply_to"][0])
        assert not OutboundMail.objects.exists()
    elif what == "triage":
        assert (stored.state, stored.suggested_complaint) == ("triage", world[key])
        assert not world[key].messages.exists()
    elif what in ("auto_reply", "bounce"):
        assert (stored.state, stored.result, stored.complaint) == ("done", what, world[key])
        event = world[key].events.get(kind=f"{what}_received")
        assert event.data["inbound_id"] == stored.pk
        assert not world[key].messages.exists()
        assert not OutboundMail.objects.filter(complaint=world[key], created_at__gt=stored.received_at).exists()
    else:
        assert (stored.state, stored.complaint) == ("ignored", None)
    if what != "new_complaint":
        assert Complaint.objects.count() == before


def test_permanent_bounces_mark_the_address_failing_and_a_delay_does_not():
    files = files_starting("50", "51", "52", "53")
    build_world(files)
    for file in files:
        deliver_raw((CORPUS / file).read_bytes())

    assert set(FailingAddress.objects.values_list("address", flat=True)) == {
        "info@meubelmakerij-oud.example", "klantenservice@woonhuys.example", "service@fietsplaza.example",
    }


def test_foreign_ticket_tags_from_the_company_side_are_remembered():
    files = files_starting("48", "57", "58", "59")
    world = build_world(files)
    for file in files:
        deliver_raw((CORPUS / file).read_bytes())

    remembered = {(tag.tag, tag.sender_domain, tag.complaint_id) for tag in ForeignTicketTag.objects.all()}
    assert remembered == {
        ("generic:#604312", "lampenloods.example", world["j7cx2qw5tm3b"].pk),
        ("generic:#48213", "vxhome.zendesk.example", world["c3vq7hx2kd5m"].pk),
        ("zammad:2026020142000017", "fietsplaza.example", world["w5dk2qt7mx3c"].pk),
        ("jira:SD-1187", "keukenkoning.atlassian.example", world["v2kq6xn3bw7d"].pk),
    }


def test_the_whole_corpus_in_one_go_reaches_the_same_places_loses_nothing_and_is_idempotent():
    files = sorted(MANIFEST)
    world = build_world(files)
    stored = {file: deliver_raw((CORPUS / file).read_bytes()) for file in files}
    for file in files:  # the same mails delivered again
        deliver_raw((CORPUS / file).read_bytes())

    for file, mail in stored.items():
        what, key = expected(file)
        if file[:2] in ("24", "60"):
            # Carol's later mails to VXhome: she now has exactly one open complaint there, the
            # one her first mail (16) opened, and the sender rule puts them on it.
            assert (mail.result, mail.matched_by, mail.complaint) == ("message", "sender", stored["16-gmail-forward-inline-nl.eml"].complaint)
        elif what == "triage":
            assert (mail.state, mail.suggested_complaint) == ("triage", world.get(key)), file
        elif what == "ignored":
            assert mail.state == "ignored", file
        else:
            assert mail.result == what, (file, mail.result, mail.triage_reason)
            if key:
                assert mail.complaint == world[key], file
    assert InboundMail.objects.count() == len(files)
    assert not InboundMail.objects.filter(state__in=["received", "failed"]).exists()
    assert InboundMail.objects.filter(duplicates=1).count() == len(files)
    stored_ids = set(InboundMail.objects.values_list("message_id", flat=True))
    assert stored_ids == {parse_message((CORPUS / file).read_bytes()).message_id for file in files}
