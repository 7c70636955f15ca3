"""Put .eml files and maildirs through the inbound pipeline: `gehoord ingest-mail PATH...`.

Each PATH is an .eml file, a maildir (with cur/ and new/), or a folder of .eml files. Every
message is stored (once per Message-ID) and processed at once; `--retry-failed` processes again
what failed earlier and what was stored but never processed. Scheduling: run by hand (imports,
replays, a mailbox exported from elsewhere), or from cron for a folder an MTA delivers into;
`--retry-failed` belongs in the periodic jobs (every few minutes). One unreadable file is reported
and skipped; SIGTERM stops after the message in hand.
"""

import mailbox
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gehoord.inbound import pipeline
from gehoord.inbound.management.stopping import stop_event


class Command(BaseCommand):
    help = "Store and process .eml files and maildirs as inbound mail."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument("--retry-failed", action="store_true", help="Process failed and unprocessed mail again.")

    def handle(self, *args, paths, retry_failed, **options):
        if not paths and not retry_failed:
            raise CommandError("Give one or more .eml files or maildirs, or --retry-failed.")
        stop = stop_event()
        counts: dict[str, int] = {}
        problems = 0
        for label, read in _messages(paths):
            if stop.is_set():
                self.stderr.write("Stopped by signal.")
                break
            try:
                received = pipeline.receive(read(), source="file", enqueue=False)
                state = "duplicate" if received.duplicate else pipeline.process(received.inbound.pk)
            except Exception as problem:  # one bad file must not stop the rest
                problems += 1
                self.stderr.write(f"{label}: {type(problem).__name__}: {problem}")
                continue
            counts[state] = counts.get(state, 0) + 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{label}: {state}")
        if retry_failed and not stop.is_set():
            counts["retried"] = pipeline.retry()
        summary = ", ".join(f"{count} {state}" for state, count in sorted(counts.items())) or "nothing"
        self.stdout.write(f"{summary}; {problems} unreadable")


def _messages(paths: list[Path]):
    for path in paths:
        if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in box.keys():
                yield f"{path}:{key}", (lambda box=box, key=key: box.get_bytes(key))
        elif path.is_dir():
            for file in sorted(path.glob("*.eml")):
                yield str(file), file.read_bytes
        elif path.exists():
            yield str(path), path.read_bytes
        else:
            yield str(path), _missing(path)


def _missing(path: Path):
    def read():
        raise FileNotFoundError(f"no such file or maildir: {path}")

    return read
