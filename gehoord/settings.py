"""Settings of the Gehoord project.

Everything a company may change (policy, categories, wording, retention) is data in the database;
what stays here is how this installation runs, read strictly from the environment (gehoord.env).
"""

import datetime
from pathlib import Path

import dj_database_url

from gehoord import env
from gehoord.mail.config import parse_email_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env.text("GEHOORD_DATA_DIR", "var")).resolve()

SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.boolean("GEHOORD_DEBUG", False)
ALLOWED_HOSTS = env.word_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "gehoord.organisations",
    "gehoord.policies",
    "gehoord.complaints",
    "gehoord.platform",
    "gehoord.insights",
    "gehoord.mail",
    "gehoord.inbound",
    "gehoord.api",
    "gehoord.portal",
    "gehoord.desk",
    "gehoord.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "gehoord.api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gehoord.urls"
WSGI_APPLICATION = "gehoord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL", f"sqlite:///{DATA_DIR / 'gehoord.sqlite3'}"),
        conn_max_age=env.integer("GEHOORD_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue instead of
    # failing with "database is locked" halfway through; WAL lets readers run beside one writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Login throttling (django-axes) on /accounts/login/ and /admin/login/: ten wrong passwords for one
# account from one client address lock that pair, and many failures from one address over all
# accounts lock the address; each lock ends 15 minutes after its last counted failure. Nothing locks
# an account for everyone, so an attacker elsewhere cannot keep its owner out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 10
GEHOORD_LOGIN_FAILURES_PER_ADDRESS = 50
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
# Tries during a lock neither count nor prolong it: a lock always ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "gehoord.server.accounts.LoginFailures"
AXES_LOCKOUT_CALLABLE = "gehoord.server.accounts.locked_out"
# The address the consumer pages' rate limits count too (GEHOORD_PROXY_COUNT decides which one).
AXES_CLIENT_IP_CALLABLE = "gehoord.server.accounts.client_address"
# Failures are kept for the cool-off only; successful logins are not logged (personal data that
# no rule would ever remove).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every start of every command

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "uploads/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Largest single upload; a form post may carry a few of them, together at most the submission's size.
GEHOORD_MAX_UPLOAD_BYTES = env.integer("GEHOORD_MAX_UPLOAD_MB", 25, minimum=1) * 1024 * 1024
GEHOORD_MAX_SUBMISSION_BYTES = env.integer("GEHOORD_MAX_SUBMISSION_MB", 100, minimum=1) * 1024 * 1024
if GEHOORD_MAX_SUBMISSION_BYTES < GEHOORD_MAX_UPLOAD_BYTES:
    raise env.ConfigurationError("GEHOORD_MAX_SUBMISSION_MB must be at least GEHOORD_MAX_UPLOAD_MB")
# Images are decoded to be re-encoded without metadata: larger ones (by their header) are refused
# undecoded. Far below Pillow's own limit of 89 megapixels, which costs seconds and most of a gigabyte.
GEHOORD_MAX_IMAGE_PIXELS = env.integer("GEHOORD_MAX_IMAGE_MEGAPIXELS", 40, minimum=1) * 1_000_000
# The first handler refuses the files of a form post with too many of them or too many bytes before
# any is kept; the others keep small files in memory and stream larger ones to temporary files.
FILE_UPLOAD_HANDLERS = [
    "gehoord.complaints.forms.SubmissionLimits",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# An API request carries its files base64-encoded (4/3 of their size), a few at a time.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * GEHOORD_MAX_UPLOAD_BYTES

# Where people reach this installation: links in mails are built on it.
GEHOORD_BASE_URL = env.text("GEHOORD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# How long a tracking link in a mail opens the complaint; every mail to the consumer carries a fresh one.
GEHOORD_TRACKING_LINK_DAYS = env.integer("GEHOORD_TRACKING_LINK_DAYS", 90, minimum=1)

# How mail goes out: EMAIL_URL = smtp://, submission:// (STARTTLS), smtps://, console:, file:///path.
# Unset: each mail is written as a file into var/mail (so `make run` shows them there).
_EMAIL = parse_email_url(env.text("EMAIL_URL", ""), default_file_path=DATA_DIR / "mail")
EMAIL_BACKEND = _EMAIL.backend
EMAIL_FILE_PATH = _EMAIL.file_path or DATA_DIR / "mail"
EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = _EMAIL.host, _EMAIL.port, _EMAIL.timeout
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _EMAIL.user, _EMAIL.password
EMAIL_USE_TLS, EMAIL_USE_SSL = _EMAIL.use_tls, _EMAIL.use_ssl
DEFAULT_FROM_EMAIL = env.text("GEHOORD_FROM_EMAIL", "klachten@gehoord.localhost")
GEHOORD_REPLY_DOMAIN = env.text("GEHOORD_REPLY_DOMAIN", "")  # default: the domain of DEFAULT_FROM_EMAIL
GEHOORD_AUTOMATIC_MAILS_PER_DAY = env.integer("GEHOORD_AUTOMATIC_MAILS_PER_DAY", 40, minimum=1)
GEHOORD_MAIL_MAX_ATTEMPTS = env.integer("GEHOORD_MAIL_MAX_ATTEMPTS", 8, minimum=1)
GEHOORD_MAIL_RETRY_BASE_SECONDS = env.integer("GEHOORD_MAIL_RETRY_BASE_SECONDS", 300, minimum=1)
# How long a worker's claim on a mail holds before the sweep hands it to another worker.
GEHOORD_MAIL_STUCK_AFTER_SECONDS = env.integer("GEHOORD_MAIL_STUCK_AFTER_SECONDS", 900, minimum=1)
# Loop breakers for complaints opened by mail, per organisation and hour: from all senders, and from
# one sender domain (a robot answering from a new address each time). Past them mail waits in triage.
GEHOORD_MAIL_COMPLAINTS_PER_HOUR = env.integer("GEHOORD_MAIL_COMPLAINTS_PER_HOUR", 60, minimum=1)
GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR = env.integer("GEHOORD_MAIL_COMPLAINTS_PER_DOMAIN_PER_HOUR", 20, minimum=1)
GEHOORD_MAX_INBOUND_BYTES = env.integer("GEHOORD_MAX_INBOUND_MB", 50, minimum=1) * 1024 * 1024
GEHOORD_INBOUND_SECRET = env.text("GEHOORD_INBOUND_SECRET", "")
if GEHOORD_INBOUND_SECRET and len(GEHOORD_INBOUND_SECRET) < 32:
    raise env.ConfigurationError("GEHOORD_INBOUND_SECRET must be at least 32 characters long")

# Background tasks (mail delivery, inbound mail, screening). By default rows in this database, run by
# `gehoord db_worker`: nothing else to install. GEHOORD_TASK_BACKEND=redis puts them on a Redis broker
# (REDIS_URL) for a worker pool over several machines, run by `gehoord rqworker` (docs/deploy.md);
# `gehoord serve` starts the worker that matches.
GEHOORD_TASK_BACKEND = env.choice("GEHOORD_TASK_BACKEND", "database", ("database", "redis"))
if GEHOORD_TASK_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env.redis_url("REDIS_URL")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Every asset is served from this site (it must work offline); no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Served over HTTPS (the base URL says so): cookies travel only over HTTPS, and browsers are told
# to use nothing else for a year (HSTS; the header goes out on requests Django sees as HTTPS,
# behind proxies those with X-Forwarded-Proto: https, see GEHOORD_PROXY_COUNT below).
_SERVED_OVER_HTTPS = GEHOORD_BASE_URL.lower().startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.boolean("GEHOORD_SECURE_COOKIES", _SERVED_OVER_HTTPS)
SECURE_HSTS_SECONDS = env.integer("GEHOORD_HSTS_SECONDS", 365 * 24 * 3600 if _SERVED_OVER_HTTPS else 0)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Behind a load balancer or reverse proxy: how many proxies in front add themselves to
# X-Forwarded-For (the portal's rate limits then count the consumer's address, not the proxy's),
# and which of them tells Django that the request came in over HTTPS.
GEHOORD_PROXY_COUNT = env.integer("GEHOORD_PROXY_COUNT", 0)
# The public API's limit per client address reads the same count (ninja's throttling).
NINJA_NUM_PROXIES = GEHOORD_PROXY_COUNT
if GEHOORD_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [GEHOORD_BASE_URL]

# Shared by every web process, so that the portal's rate limits count across all of them: a table
# in the database (created by the portal's migration), no extra service needed.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gehoord_cache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("GEHOORD_LOG_LEVEL", "INFO")},
}
