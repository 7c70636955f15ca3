"""The IMAP door against a real IMAP server: a private Dovecot (Debian's dovecot-imapd) with its own
configuration in a temporary folder, one maildir user, on a free port of 127.0.0.1."""

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from gehoord.complaints.models import Complaint
from gehoord.inbound import imap, pipeline
from gehoord.mail.config import parse_imap_url
from gehoord.mail.models import InboundMail
from gehoord.mail.tests.support import free_port, make_mail

# Debian's dovecot-imapd, which `make test` installs when it is missing.
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

pytestmark = pytest.mark.django_db

USER, PASSWORD = "klachten", "geheim-wachtwoord"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot():
    root = Path(tempfile.mkdtemp(prefix="gehoord-dovecot-"))
    root.chmod(0o755)
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir()
    if os.geteuid() == 0:
        # Dovecot will not serve mail as root: the maildir belongs to nobody.
        owner = pwd.getpwnam("nobody")
        uid, gid, users = owner.pw_uid, owner.pw_gid, ""
        os.chown(root / "mail", uid, gid)
    else:
        me = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = os.geteuid(), os.getegid()
        users = f"default_login_user = {me}\ndefault_internal_user = {me}"
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, uid=uid, gid=gid, users=users))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")])
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                imaplib.IMAP4("127.0.0.1", port, timeout=2).logout()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    pytest.fail(f"Dovecot did not start: {log[-2000:]}")
                time.sleep(0.1)
        yield parse_imap_url(f"imap://{USER}:{PASSWORD}@127.0.0.1:{port}/INBOX?timeout=10")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot):
    """The user's INBOX, emptied; returns a function that delivers a raw message into it."""
    client = imaplib.IMAP4(dovecot.host, dovecot.port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    client.store("1:*", "+FLAGS", "(\\Deleted)") if client.search(None, "ALL")[1][0] else None
    client.expunge()

    def deliver(raw: bytes) -> None:
        client.append("INBOX", None, None, raw)

    yield deliver
    client.logout()


def unseen(config) -> list[bytes]:
    client = imap.connect(config)
    client.select("INBOX")
    found = client.search(None, "UNSEEN")[1][0].split()
    client.logout()
    return found


def test_the_poller_stores_unseen_mail_and_marks_it_seen(acme, dovecot, mailbox, django_capture_on_commit_callbacks):
    mailbox(make_mail(sender="dirk@example.be", subject="Lamp kapot", body="De lamp doet het niet.",
                      message_id="<imap-1@example.be>"))
    mailbox(make_mail(sender="els@example.nl", subject="Stoel kapot", body="De stoel is gebroken.",
                      message_id="<imap-2@example.nl>"))

    with django_capture_on_commit_callbacks(execute=True):  # processing runs once the raw mail is committed
        result = imap.poll(dovecot)

    assert (result.seen, result.stored, result.errors) == (2, 2, [])
    assert set(InboundMail.objects.values_list("source", "message_id")) == {
        ("imap", "imap-1@example.be"), ("imap", "imap-2@example.nl")
    }
    assert set(Complaint.objects.values_list("contact_email", flat=True)) == {"dirk@example.be", "els@example.nl"}
    assert unseen(dovecot) == []
    assert imap.poll(dovecot).seen == 0  # nothing new the second time


def test_a_message_that_cannot_be_stored_stays_unseen_and_the_others_go_on(acme, dovecot, mailbox, monkeypatch):
    mailbox(make_mail(subject="Eerste", message_id="<first@example.nl>"))
    mailbox(make_mail(subject="Tweede", message_id="<second@example.nl>", sender="b@example.nl"))
    real = pipeline.receive

    def flaky(raw, **kwargs):
        if b"first@example.nl" in raw:
            raise RuntimeError("database away")
        return real(raw, **kwargs)

    monkeypatch.setattr(pipeline, "receive", flaky)
    result = imap.poll(dovecot)

    assert (result.stored, len(result.errors)) == (1, 1)
    assert len(unseen(dovecot)) == 1

    monkeypatch.setattr(pipeline, "receive", real)
    assert imap.poll(dovecot).stored == 1
    assert InboundMail.objects.count() == 2


def test_the_poll_imap_command_reads_imap_url(acme, dovecot, mailbox, monkeypatch, capsys):
    mailbox(make_mail(subject="Via het commando", message_id="<command@example.nl>"))
    monkeypatch.setenv("IMAP_URL", f"imap://{USER}:{PASSWORD}@127.0.0.1:{dovecot.port}/INBOX")

    call_command("poll-imap", "--once")

    assert "1 stored" in capsys.readouterr().out
    assert InboundMail.objects.get().message_id == "command@example.nl"


def test_a_wrong_password_fails_loudly(dovecot):
    wrong = parse_imap_url(f"imap://{USER}:wrong@127.0.0.1:{dovecot.port}/INBOX")

    with pytest.raises(imaplib.IMAP4.error):
        imap.poll(wrong)
