from django.apps import AppConfig
from django.conf import settings


class ServerConfig(AppConfig):
    name = "gehoord.server"
    verbose_name = "Server"

    def ready(self):
        if settings.GEHOORD_TASK_BACKEND == "redis":
            from django.db import close_old_connections
            from django_tasks.signals import task_started
            from django_tasks_rq.backend import RQBackend

            # An RQ worker keeps its database connection from job to job: drop it before a job when it
            # broke or aged past CONN_MAX_AGE, as Django does before a request (db_worker does the same).
            task_started.connect(lambda **kwargs: close_old_connections(), sender=RQBackend, weak=False)
