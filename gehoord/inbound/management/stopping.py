"""Clean stops for the mail commands: SIGTERM and SIGINT set an event the loop checks."""

import signal
import threading


def stop_event() -> threading.Event:
    stop = threading.Event()

    def handler(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop
