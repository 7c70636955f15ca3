"""Settings for the test suite: the real settings, with tasks run inline and files in a temporary folder."""

import tempfile

from gehoord.settings import *  # noqa: F403

# Tasks run at once, in the test's own process and database (the real task code, no worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="gehoord-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
