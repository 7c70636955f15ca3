"""The task worker that matches the configured task backend (GEHOORD_TASK_BACKEND)."""

from django.conf import settings


def task_worker_command(gehoord: str, name: str = "", backend: str = "") -> list[str]:
    """The command line of one task worker; `name` identifies it among the others (default: generated).
    `backend` (database or redis) is for a worker started with other settings than this process's."""
    if (backend or settings.GEHOORD_TASK_BACKEND) == "redis":
        # django-tasks-rq's Job class runs a job as the task it was enqueued as. SimpleWorker runs each
        # job in the worker itself, on its open database connection, instead of forking a process (and
        # opening a connection) per job. The scheduler (one per pool, RQ elects it) enqueues the
        # delayed retries of mail delivery when they are due.
        command = [gehoord, "rqworker", *settings.TASKS["default"]["QUEUES"], "--worker-class",
                   "rq.worker.SimpleWorker", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
        return command + (["--name", name] if name else [])
    command = [gehoord, "db_worker", "--queue-name", "*", "--no-reload"]
    return command + (["--worker-id", name] if name else [])
