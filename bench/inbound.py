#!/usr/bin/env python
"""Inbound mail throughput: realistic replies to existing complaints through the whole pipeline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gehoord_bench_10k .venv/bin/python bench/inbound.py --replies 500
    .venv/bin/python bench/inbound.py            # no DATABASE_URL: a temporary SQLite file

It migrates the database, makes an organisation of its own with --complaints complaints (filed
through the real intake, each with its reply token and our earlier mails in its thread), then
delivers --replies replies in this process as a door does, one after the other: store the raw
bytes (`pipeline.receive`), then process them (`pipeline.process`: parse, strip quotes, match,
`actions.add_message`, attachments checked and stored). The replies are the consumer replies of
the recorded corpus (Gmail, Outlook, Apple Mail, Thunderbird…, some with attachments), each
rewritten to one of the bench complaints: its reply token, its reference, its thread ids and a
Message-ID of its own. It prints messages per second, the latency, CPU time and SQL statements per
message, checks that every reply landed as a message on its complaint, and removes what it made
(--keep keeps it). On a shared machine the CPU time is the steadier number: the latency includes
waiting for the disk (two commits per message, the raw bytes' and the outcome's).

Runs against whatever DATABASE_URL says; mail goes to Django's in-memory backend and tasks run
inline, so only the inbound pipeline and its database work are measured.
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "gehoord" / "mail" / "tests" / "corpus"
REPLY_DOMAIN = "gehoord.example"


def setup_django() -> str:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="gehoord-bench-inbound-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gehoord.settings")
    os.environ.setdefault("GEHOORD_LOG_LEVEL", "WARNING")
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GEHOORD_REPLY_DOMAIN = REPLY_DOMAIN
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="gehoord-bench-media-")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return settings.DATABASES["default"]["ENGINE"].rpartition(".")[2]


def templates() -> list[dict]:
    """The corpus' consumer replies: person-written, to a reply token, not malformed."""
    manifest = json.loads((CORPUS / "manifest.json").read_text("utf-8"))["messages"]
    chosen = []
    for entry in manifest:
        if entry["noise"] != "none" or entry["malformed"] or len(entry["plus_tokens"]) != 1:
            continue
        if entry["file"][:2] in ("57", "58", "59"):  # a company's answer, not the consumer's
            continue
        raw = (CORPUS / entry["file"]).read_bytes()
        sender = re.search(rb"^From:.*?<?([\w.+-]+@[\w.-]+)>?\s*$", raw, re.MULTILINE | re.IGNORECASE)
        chosen.append({
            "file": entry["file"], "raw": raw, "token": entry["plus_tokens"][0],
            "references": entry["reference_tags"], "sender": sender.group(1).decode().lower(),
            "visible": entry["visible_contains"],
        })
    return chosen


OUR_ID = re.compile(rb"([0-9a-f]{10}\.[0-9a-f]{16})@gehoord\.example", re.IGNORECASE)


def rewrite(template: dict, complaint, token: str, tag: str, number: int) -> bytes:
    raw = template["raw"]
    raw = re.sub(rb"reply\+" + template["token"].encode() + rb"@gehoord\.example", b"\x00REPLY\x00", raw,
                 flags=re.IGNORECASE)
    raw = OUR_ID.sub(rb"\1." + tag.encode() + rb"@gehoord.example", raw)
    raw = raw.replace(b"\x00REPLY\x00", f"reply+{token}@{REPLY_DOMAIN}".encode())
    for reference in template["references"]:
        raw = raw.replace(reference.encode(), complaint.reference.encode())
    raw, count = re.subn(rb"^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", f"Message-ID: <bench-{tag}-{number}@mail.example>".encode(),
                         raw, count=1, flags=re.MULTILINE | re.IGNORECASE)
    if not count:
        raw = f"Message-ID: <bench-{tag}-{number}@mail.example>\r\n".encode() + raw
    return raw


def build(complaint_count: int, run: str):
    from gehoord.complaints.actors import Actor
    from gehoord.complaints.intake import NewComplaint, file_complaint
    from gehoord.mail.models import OutboundMail, ReplyAddress
    from gehoord.mail.parsing import parse_message
    from gehoord.organisations.models import Organisation
    from gehoord.policies.models import PolicyVersion
    from gehoord.policies.presets import PRESETS

    organisation = Organisation.objects.create(
        name=f"Bench {run}", slug=f"bench-inbound-{run}", complaint_email=f"klachten@bench-{run}.example"
    )
    PolicyVersion.publish(organisation, PRESETS["vxhome"], preset="vxhome")
    shapes = templates()
    complaints = []
    for index in range(complaint_count):
        template = shapes[index % len(shapes)]
        complaint = file_complaint(
            organisation,
            NewComplaint(description="De levering klopt niet.", contact_name="Consument",
                         contact_email=template["sender"]),
            channel="email", by=Actor.system(),
        )
        token = ReplyAddress.objects.get(complaint=complaint).token
        tag = f"{run}c{index}"
        # Our earlier mails in the thread the template answers, under this complaint's ids.
        for message_id in parse_message(rewrite(template, complaint, token, tag, 0)).thread_ids:
            if message_id.endswith("@gehoord.example"):
                OutboundMail.objects.get_or_create(message_id=message_id, defaults=dict(
                    complaint=complaint, kind="staff_message", to_address=template["sender"], language="nl",
                    subject="…", body_text="…", state="sent", created_at=complaint.received_at))
        complaints.append((complaint, token, tag, template))
    return organisation, complaints


def remove(organisation, run: str) -> None:
    from gehoord.complaints.models import Complaint
    from gehoord.mail.models import InboundMail

    InboundMail.objects.filter(message_id__startswith=f"bench-{run}").delete()
    Complaint.objects.filter(organisation=organisation).delete()
    try:
        organisation.delete()
    except Exception as problem:  # a protected row of another app: the complaints are gone anyway
        print(f"(the bench organisation {organisation.slug} stays: {problem})")


class StatementCounter:
    """A database execute wrapper that counts the SQL statements of each message."""

    def __init__(self) -> None:
        self.per_message: list[int] = []
        self.current = 0

    def __call__(self, execute, sql, params, many, context):
        self.current += 1
        return execute(sql, params, many, context)

    def next_message(self) -> None:
        self.per_message.append(self.current)
        self.current = 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--complaints", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="Keep the bench organisation and its mail.")
    arguments = parser.parse_args()
    engine = setup_django()

    from django.db import connection

    from gehoord.inbound import pipeline
    from gehoord.mail.models import InboundMail

    run = uuid.uuid4().hex[:8]
    print(f"database: {engine} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    organisation, complaints = build(arguments.complaints, run)
    print(f"setup: {len(complaints)} complaints in {time.perf_counter() - started:.1f} s; "
          f"{len({c[3]['file'] for c in complaints})} kinds of reply from the corpus")

    rng = random.Random(7)
    messages = []
    for number in range(1, arguments.replies + 1):
        complaint, token, tag, template = rng.choice(complaints)
        messages.append((complaint, rewrite(template, complaint, token, tag, number)))

    latencies = []
    statements = StatementCounter()
    wrong = []
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(statements):
        for _complaint, raw in messages:
            began = time.perf_counter()
            received = pipeline.receive(raw, source="smtp", enqueue=False)
            pipeline.process(received.inbound.pk)
            latencies.append(time.perf_counter() - began)
            statements.next_message()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    rows = InboundMail.objects.filter(message_id__startswith=f"bench-{run}")
    landed = rows.filter(state="done", result="message").count()
    for row in rows.exclude(state="done", result="message")[:5]:
        wrong.append(f"{row.message_id}: {row.state} {row.result} {row.triage_reason} {row.last_error[:200]}")
    latencies.sort()
    print(f"inbound: {len(messages)} replies in {elapsed:.2f} s = {len(messages) / elapsed:.1f} messages/second "
          f"(p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms)")
    print(f"CPU of this process: {cpu / len(messages) * 1000:.1f} ms per reply; SQL statements per reply: "
          f"median {statistics.median(statements.per_message)}, max {max(statements.per_message)} "
          f"(BEGIN and COMMIT not counted)")
    print(f"landed on their complaint: {landed} of {len(messages)}")
    for line in wrong:
        print("  " + line)
    if not arguments.keep:
        remove(organisation, run)
    return 0 if landed == len(messages) else 1


if __name__ == "__main__":
    sys.exit(main())
