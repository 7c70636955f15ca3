"""One setting picks where background tasks wait: rows in the database (the default, nothing else to
run) or a Redis broker for a worker pool; `gehoord serve` starts the worker that matches.

Settings are read once, at start-up: each case imports the real settings module in a fresh process
with its own environment.
"""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from gehoord.server.workers import task_worker_command

DESCRIBE_THE_TASK_BACKEND = """
import json, sys
import django
django.setup()
from django.conf import settings
from gehoord.mail.tasks import deliver
backend = deliver.get_backend()
print(json.dumps({
    "backend": type(backend).__module__ + "." + type(backend).__name__,
    "queues": sorted(backend.queues),
    "rq_queues": getattr(settings, "RQ_QUEUES", None),
    "django_rq_installed": "django_rq" in settings.INSTALLED_APPS,
    "redis_imported": any(name == "redis" or name.startswith(("redis.", "rq.", "django_rq")) for name in sys.modules),
}))
"""


def start_with(tmp_path, **environment) -> subprocess.CompletedProcess:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("GEHOORD_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    env.update(DJANGO_SETTINGS_MODULE="gehoord.settings", GEHOORD_DATA_DIR=str(tmp_path), **environment)
    return subprocess.run([sys.executable, "-c", DESCRIBE_THE_TASK_BACKEND], env=env, capture_output=True, text=True,
                          timeout=60)


def described(finished: subprocess.CompletedProcess) -> dict:
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_by_default_tasks_are_database_rows_and_nothing_of_redis_is_even_imported(tmp_path):
    # A REDIS_URL left in the environment does not switch the backend by itself.
    tasks = described(start_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0"))

    assert tasks["backend"] == "django_tasks_db.backend.DatabaseBackend"
    assert tasks["rq_queues"] is None and not tasks["django_rq_installed"]
    assert tasks["redis_imported"] is False


def test_the_redis_backend_puts_the_default_queue_on_the_broker_of_redis_url(tmp_path):
    tasks = described(start_with(tmp_path, GEHOORD_TASK_BACKEND=" Redis ", REDIS_URL="redis://127.0.0.1:6379/3"))

    assert tasks["backend"] == "django_tasks_rq.backend.RQBackend"
    assert tasks["queues"] == ["default"]
    assert tasks["rq_queues"] == {"default": {"URL": "redis://127.0.0.1:6379/3"}}
    assert tasks["django_rq_installed"] is True


@pytest.mark.parametrize(("environment", "complaint"), [
    ({"GEHOORD_TASK_BACKEND": "rabbitmq"}, "GEHOORD_TASK_BACKEND must be one of database, redis, not 'rabbitmq'"),
    ({"GEHOORD_TASK_BACKEND": "redis"}, "REDIS_URL must be set"),
    ({"GEHOORD_TASK_BACKEND": "redis", "REDIS_URL": "http://127.0.0.1:6379/0"},
     "REDIS_URL must start with redis://, rediss:// or unix://"),
    ({"GEHOORD_TASK_BACKEND": "redis", "REDIS_URL": "redis://127.0.0.1:63a9/0"}, "REDIS_URL has a port that is not"),
    ({"GEHOORD_TASK_BACKEND": "redis", "REDIS_URL": "redis:///0"}, "REDIS_URL names no host"),
    ({"GEHOORD_TASK_BACKEND": "redis", "REDIS_URL": "redis://127.0.0.1:6379/queue"},
     "REDIS_URL must end in a database number"),
])
def test_a_wrong_task_backend_setting_stops_the_start_with_the_variable_named(tmp_path, environment, complaint):
    finished = start_with(tmp_path, **environment)

    assert finished.returncode != 0
    assert f"ConfigurationError: {complaint}" in finished.stderr


def test_the_database_backend_is_worked_by_db_worker_on_every_queue():
    assert task_worker_command("/venv/bin/gehoord") == [
        "/venv/bin/gehoord", "db_worker", "--queue-name", "*", "--no-reload",
    ]
    assert task_worker_command("gehoord", name="worker-2")[-2:] == ["--worker-id", "worker-2"]


@override_settings(GEHOORD_TASK_BACKEND="redis",
                   TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}})
def test_the_redis_backend_is_worked_by_an_rq_worker_that_also_schedules_the_retries():
    assert task_worker_command("/venv/bin/gehoord") == [
        "/venv/bin/gehoord", "rqworker", "default", "--worker-class", "rq.worker.SimpleWorker",
        "--job-class", "django_tasks_rq.Job", "--with-scheduler",
    ]
    assert task_worker_command("gehoord", name="worker-2")[-2:] == ["--name", "worker-2"]


def test_a_worker_for_another_backend_than_this_process_uses_can_be_asked_for():
    assert task_worker_command("gehoord", backend="redis")[1] == "rqworker"
    assert task_worker_command("gehoord", backend="database")[1] == "db_worker"
