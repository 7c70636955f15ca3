"""HTTPS follows the base URL: behind an https:// address the cookies are Secure and browsers get HSTS;
on plain http (a developer's machine) neither, or nothing would work there.

Each case imports the real settings module in a fresh process with its own environment (settings are
read once, at start-up) and asks it for the login page as a TLS-terminating proxy would pass it on.
"""

import json
import os
import subprocess
import sys

ASK_FOR_THE_LOGIN_PAGE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get(
    "/accounts/login/", HTTP_HOST="klachten.example.nl",
    HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.7",
)
print(json.dumps({
    "status": response.status_code,
    "hsts": response.headers.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(response.cookies["csrftoken"]["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
}))
"""


def the_login_page_under(tmp_path, **environment) -> dict:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("GEHOORD_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="gehoord.settings", GEHOORD_DATA_DIR=str(tmp_path), ALLOWED_HOSTS="klachten.example.nl",
        GEHOORD_PROXY_COUNT="1", **environment,
    )
    finished = subprocess.run(
        [sys.executable, "-c", ASK_FOR_THE_LOGIN_PAGE], env=env, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_an_https_base_url_makes_cookies_secure_and_sends_hsts_for_a_year(tmp_path):
    page = the_login_page_under(tmp_path, GEHOORD_BASE_URL="https://klachten.example.nl")

    assert page["status"] == 200
    assert page["hsts"] == "max-age=31536000"
    assert page["csrf_cookie_secure"] is True
    assert page["session_cookie_secure"] is True


def test_the_hsts_lifetime_and_the_cookies_can_be_set_apart_from_the_base_url(tmp_path):
    page = the_login_page_under(
        tmp_path, GEHOORD_BASE_URL="https://klachten.example.nl", GEHOORD_HSTS_SECONDS="600",
        GEHOORD_SECURE_COOKIES="false",
    )

    assert page["hsts"] == "max-age=600"
    assert page["csrf_cookie_secure"] is False


def test_a_plain_http_base_url_leaves_hsts_and_secure_cookies_off(tmp_path):
    page = the_login_page_under(tmp_path, GEHOORD_BASE_URL="http://127.0.0.1:8000")

    assert page["status"] == 200
    assert page["hsts"] is None
    assert page["csrf_cookie_secure"] is False
    assert page["session_cookie_secure"] is False
