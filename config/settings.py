"""One settings module, read from the environment.

With nothing set it runs embedded (SQLite file, eager Celery tasks, console email).
Production sets DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
EMAIL_URL and FIELD_ENCRYPTION_KEY; README documents every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development only."
        )
    SECRET_KEY = "insecure-development-only-key"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS/JS from an installed package
    "simple_history",
    "csp",
    "pgtrigger",  # append-only audit rows (database triggers)
    "dbbackup",  # make backup / make restore
    "accounts",
    "retention",
    "audit",
    "curriculum",
    "sessions_app",
    "facilitators",
    "feedback",
    "reminders",
    "dashboards",
]

MIDDLEWARE = [
    # First: participants' pages (/f/) neither read nor set any cookie (invariant 2).
    "feedback.middleware.NoCookiesOnParticipantPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above everything that reads the database (session, user, views): a database outage
    # answers 503 (templates/503.html), with the security headers above still added.
    "accounts.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before anything else reads the user: a sign-in past its idle or absolute limit is
    # signed out here (accounts.session_limits).
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "accounts.middleware.OrganizationTimeZoneMiddleware",
    "accounts.middleware.ClearSiteDataOnSignOutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the signed-in user and every response, redirects and errors too.
    "accounts.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo: SQLite cannot keep retention's one-count-per-kind-and-organization
    # rule (its NULL organization), which PostgreSQL enforces; the demo never needs it.
    SILENCED_SYSTEM_CHECKS.append("models.W047")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new PostgreSQL connection per request costs ~10 ms here; keep them, and check
    # them before reuse so a restarted server does not break the next request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A server that does not answer (down, failing over) fails a request in seconds, with
    # the 503 page (accounts/outage.py), instead of holding a worker for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# A read replica for the dashboards and exports (dashboards/replica.py); without it they
# read the primary. Tests point it at the test database (MIRROR).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["dashboards.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------
# The cache uses REDIS_URL's database and the broker the next one (redis://host/0 -> /1),
# so flushing one never empties the other. CELERY_BROKER_URL overrides the broker's.
REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_db(url: str) -> str:
    base, _slash, db = url.rstrip("/").rpartition("/")
    if not db.isdigit():  # no database number in the URL
        return url.rstrip("/") + "/1"
    return f"{base}/{int(db) + 1}"


if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_next_redis_db(REDIS_URL))
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # Embedded mode: no worker, so tasks run in the calling process.
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# One queue; a test that starts its own worker names its own, so runs never share one.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# A task is acknowledged when it ends, not when it starts, and a worker that dies under it
# gives it back: every task is safe to run twice (the reminder outbox makes sure of it).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task to another worker after this long: longer than the
# longest task (CELERY_TASK_TIME_LIMIT), so a slow task is never run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Queueing gives up after about two seconds when Redis is away (the outbox keeps the work).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = "UTC"
# Every periodic task, in one place (config/celery.py reads it from here).
# How often the dashboards' rollups are rebuilt from the program's tables.
ROLLUP_REFRESH_MINUTES = env.int("ROLLUP_REFRESH_MINUTES", default=15)
# How long a computed manager dashboard is kept in the cache (under its rollups' time, so a
# refresh is seen at once); 0 computes it on every request.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=900)
CELERY_BEAT_SCHEDULE: dict = {
    # Daily at 03:15 UTC: delete recording files reviewed, withdrawn or past retention.
    "purge-recordings": {
        "task": "sessions_app.tasks.purge_recordings",
        "schedule": crontab(hour=3, minute=15),
    },
    # Every minute: write the reminders that should exist by now (sessions, feedback
    # links, trainings, reviews, debriefs) and cancel those no longer wanted.
    "produce-reminders": {
        "task": "reminders.tasks.reminders_produce_due",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Every minute: lease the reminders that are due and queue one send each. A sweep
    # beat could not hand over within 50 s is dropped; the next one does its work.
    "send-due-reminders": {
        "task": "reminders.tasks.reminders_dispatch_due",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Daily at 03:45 UTC: purge every kind of data past its retention (retention app),
    # after the recordings purge above.
    "retention-purge": {
        "task": "retention.tasks.retention_purge_due",
        "schedule": crontab(hour=3, minute=45),
    },
    # Rebuild the dashboards' rollups (the pages say how fresh they are).
    "refresh-rollups": {
        "task": "dashboards.tasks.rollups_refresh_due",
        "schedule": ROLLUP_REFRESH_MINUTES * 60.0,
        "options": {"expires": ROLLUP_REFRESH_MINUTES * 60.0},
    },
}

# --- Reminders ------------------------------------------------------------------------
# Where links in reminders point (the address people open the site at).
REMINDER_SITE_URL = env.str("REMINDER_SITE_URL", default="http://127.0.0.1:8000")
# Participants' reminders come from a neutral sender (no program or organization name).
REMINDER_PARTICIPANT_FROM_EMAIL = env.str(
    "REMINDER_PARTICIPANT_FROM_EMAIL", default="Reminders <no-reply@localhost>"
)
# Text messages: a backend by dotted path (reminders.sms.ConsoleBackend, FileBackend, or
# a provider's), the file the FileBackend appends to, and the sender id.
REMINDER_SMS_BACKEND = env.str("REMINDER_SMS_BACKEND", default="reminders.sms.ConsoleBackend")
REMINDER_SMS_FILE_PATH = env.str("REMINDER_SMS_FILE_PATH", default="")
REMINDER_SMS_FROM = env.str("REMINDER_SMS_FROM", default="")
# Participants' phone numbers typed without a country code are read as this country's
# (ISO 3166 code) and stored in international form.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")
# When reminders go out, in hours before a session, on the group's clock: facilitators
# (staff email) and participants who opted in (each channel they chose).
FACILITATOR_REMINDER_OFFSETS = env.list("FACILITATOR_REMINDER_OFFSETS", cast=float, default=[24.0])
PARTICIPANT_REMINDER_OFFSETS = env.list(
    "PARTICIPANT_REMINDER_OFFSETS", cast=float, default=[24.0, 2.0]
)
# A held session's feedback link goes to those present when it ends, if it is still open
# and the session ended within this many hours (a late sweep does not send a stale link).
REMINDER_FEEDBACK_WITHIN_HOURS = env.int("REMINDER_FEEDBACK_WITHIN_HOURS", default=24)
# A review assignment open this long reminds the reviewer and the managers, once.
REMINDER_REVIEW_WAITING_DAYS = env.int("REMINDER_REVIEW_WAITING_DAYS", default=7)
# A sweep leases this many rows per batch, and at most this many batches per run.
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=200)
REMINDER_DISPATCH_MAX_BATCHES = env.int("REMINDER_DISPATCH_MAX_BATCHES", default=50)
# A leased row whose send has not finished by then is leased again by the next sweep
# (its task was lost with Redis, or its worker died): longer than a task may run.
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=600)
# Failed sends are tried again after base * 2^(attempt-1) seconds (capped, with jitter);
# after the last attempt the reminder is dead and shown to managers.
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=6)
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
REMINDER_RETRY_MAX_SECONDS = env.int("REMINDER_RETRY_MAX_SECONDS", default=3600)

# --- Email ----------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="no-reply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Field encryption (participant contact details) -----------------------------------
# Comma-separated Fernet keys, newest first; older keys still decrypt (rotation).
# Fernet keys for participant contact details, comma-separated, newest first: older keys
# still decrypt, so a key can be rotated (then run `manage.py reencrypt_contacts`).
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY", default=[])
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set. Generate one with: python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    FIELD_ENCRYPTION_KEY = ["ZGV2ZWxvcG1lbnQtb25seS1rZXktbm90LXNlY3JldCE="]  # DEBUG only

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapters.InviteOnlyAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Seeking Safety] "
# How many reverse proxies stand in front of the app and append to X-Forwarded-For: the
# client address (for sign-in limits) is the one the outermost trusted proxy saw. 1 for
# the docker-compose shape behind one HTTPS proxy; 0 when clients connect directly (then
# X-Forwarded-For is ignored, so a client cannot choose its own address).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
# Failed sign-ins are limited per client address only; per account, accounts.signin
# slows down the address that failed, so nobody can lock a manager out by their email.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Seeking Safety Peer Program")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Demo only: these emails may skip the MFA requirement. Empty in production;
# a system check warns when it is set with DEBUG off.
MFA_EXEMPT_EMAILS = [e.lower() for e in env.list("DJANGO_MFA_EXEMPT_EMAILS", default=[])]

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages groups meet in and participants speak, offered first (in this order) in
# the language selects; every other language stays choosable below them. The default:
# English, Spanish and the languages most spoken at home by people with limited English
# in the United States, where most partner programs work.
PROGRAM_LANGUAGES = env.list(
    "PROGRAM_LANGUAGES",
    default=["en", "es", "zh-hans", "tl", "vi", "ar", "fr", "ko", "ru", "ht", "pt"],
)
# One date style and one clock per language (config/formats/<language>/formats.py):
# templates name a format ("DATE_FORMAT", "TIME_FORMAT", ...) instead of spelling one out.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        # Never under MEDIA_URL: files here are served only by access-checked views.
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")),
            "base_url": None,
        },
    },
    "staticfiles": {
        # Hashed, compressed files in production (after collectstatic); plain files for
        # development and tests, which never run collectstatic.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

# --- Backups (`make backup` / `make restore`, django-dbbackup) ------------------------
# dbbackup 5.x writes to the "dbbackup" storage: a folder here (README "Backups" says where
# to keep copies). PostgreSQL is dumped with pg_dump's custom format (dbbackup's
# PgDumpBinaryConnector, its default for PostgreSQL) and restored with pg_restore. The
# private files (recordings, evidence) are a tarball beside it (the Makefile: dbbackup's
# mediabackup reads only the default storage). Only the primary is backed up.
BACKUP_DIR = env.str("BACKUP_DIR", default=str(BASE_DIR / "backups"))
STORAGES["dbbackup"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": BACKUP_DIR},
}
DBBACKUP_DATABASES = ["default"]
DBBACKUP_FILENAME_TEMPLATE = "db-{datetime}.{extension}"
DBBACKUP_DATE_FORMAT = "%Y-%m-%d-%H%M%S"
DBBACKUP_SEND_EMAIL = False  # a failed backup fails `make backup`, which cron reports

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------
# Sessions are read from the cache (Redis in production) and written through to the
# database, so a signed-in page does not pay a query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 8)
# A staff sign-in ends after this many minutes without activity (the page warns a minute
# before; typing counts), and this many hours after signing in whatever happens. Minutes
# may be a fraction (the browser tests use seconds).
SESSION_IDLE_MINUTES = env.float("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.float("SESSION_ABSOLUTE_HOURS", default=12)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registrable domain, every subdomain included, to
        # HTTPS in browsers and is slow to undo: the operator opts in, so the deploy
        # check's reminder (security.W021) is silenced while it is off.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# The language cookie is as private as the session cookie (Secure in production, below):
# it tells a shared computer's next user which language the last one chose.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Browser policies -----------------------------------------------------------------
# A strict Content-Security-Policy on every page, Django admin and allauth's included:
# scripts, styles, images and media from this site only; no inline script or style, no
# eval, no framing, forms post only here. Templates must never add inline <script>,
# style="" or on*="" attributes (templates/base.html says so too).
STYLE_BORDER_TOP_0 = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # One exact style attribute, by its hash: django-simple-history's admin history
        # page writes style="border-top: 0". Any other style attribute stays blocked.
        "style-src-attr": [UNSAFE_HASHES, STYLE_BORDER_TOP_0],
        # Bootstrap's form controls draw their arrows and ticks with data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Every powerful browser feature is off; WebAuthn (two-step sign-in with a security key)
# and fullscreen video stay on for this site only.
DENIED_BROWSER_FEATURES = [
    "accelerometer",
    "ambient-light-sensor",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "captured-surface-control",
    "clipboard-read",
    "compute-pressure",
    "display-capture",
    "encrypted-media",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "interest-cohort",
    "keyboard-map",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "speaker-selection",
    "storage-access",
    "usb",
    "web-share",
    "window-management",
    "xr-spatial-tracking",
]
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{feature: [] for feature in DENIED_BROWSER_FEATURES},
    "fullscreen": ["self"],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Participants' pages (/f/) leave no request line, address or user agent in the logs.
    "filters": {"participant_pages": {"()": "feedback.logs.ParticipantPagesFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"filters": ["participant_pages"]},
        "django.server": {"filters": ["participant_pages"]},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- Program settings -----------------------------------------------------------------
SESSIONS_GENERATE_WEEKS = env.int("SESSIONS_GENERATE_WEEKS", default=8)
RECORDING_MAX_BYTES = env.int("RECORDING_MAX_BYTES", default=500 * 1024 * 1024)
RECORDING_RETENTION_DAYS = env.int("RECORDING_RETENTION_DAYS", default=30)
# Retention (the retention app purges each daily; see retention.register).
# A participant's contact details are cleared this many months after they last attended
# (or were added, if they never attended).
PARTICIPANT_CONTACT_RETENTION_MONTHS = env.int("PARTICIPANT_CONTACT_RETENTION_MONTHS", default=12)
# Invitations nobody accepted are deleted this many days after they expired.
INVITATION_RETENTION_DAYS = env.int("INVITATION_RETENTION_DAYS", default=30)
# Reminders sent, cancelled or given up on (dead) are deleted after this many days.
REMINDER_RETENTION_DAYS = env.int("REMINDER_RETENTION_DAYS", default=90)
# Receipts of changes the session page sent after being offline (their idempotency keys).
# A phone keeps an unsent change at most SESSION_ABSOLUTE_HOURS, so a month is ample.
OFFLINE_RECEIPT_DAYS = env.int("OFFLINE_RECEIPT_DAYS", default=30)
# Access events (the audit app's) are kept this many years.
ACCESS_EVENT_RETENTION_YEARS = env.int("ACCESS_EVENT_RETENTION_YEARS", default=6)
# A session's feedback link takes answers from its start until this many days after it.
FEEDBACK_LINK_DAYS = env.int("FEEDBACK_LINK_DAYS", default=3)
# Where the quick-exit button on participants' pages goes: a neutral site.
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://weather.com/")
# Submitted fidelity reviews that pass, of recordings of a facilitator's sessions, before
# their certification track may be marked "certified".
CERTIFICATION_PASSING_REVIEWS = env.int("CERTIFICATION_PASSING_REVIEWS", default=4)
# Evidence of a training (a certificate: PDF, JPEG or PNG).
TRAINING_EVIDENCE_MAX_BYTES = env.int("TRAINING_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# A fidelity review passes when every part's adherence mean is at least this (0 to 3).
FIDELITY_PASS_MEAN = env.float("FIDELITY_PASS_MEAN", default=2.0)
# Rater calibration: a rating agrees with gold when within CALIBRATION_TOLERANCE; an
# attempt passes when at least CALIBRATION_MIN_AGREEMENT of the ratings agree.
CALIBRATION_TOLERANCE = env.str("CALIBRATION_TOLERANCE", default="0.5")
CALIBRATION_MIN_AGREEMENT = env.str("CALIBRATION_MIN_AGREEMENT", default="0.8")
# Feedback aggregates resting on fewer responses than this are hidden (invariant 3).
FEEDBACK_MIN_CELL = env.int("FEEDBACK_MIN_CELL", default=5)
# Sessions attended that make a completer (the peer-led trial counted 6).
COMPLETER_SESSIONS = env.int("COMPLETER_SESSIONS", default=6)
