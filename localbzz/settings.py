"""LocalBzz settings: one file, every knob from the environment.

Defaults are the embedded set-up `make run` uses (SQLite under var/, ORM broker, files under
var/media, console email). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, storage and mail
through the environment; README.md lists every variable.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; unset or empty means the default. Anything else than the words below (any case)
    stops the start, naming the variable, so a typo such as DEBUG=ture cannot quietly read as False."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of {', '.join(TRUE_WORDS)} "
        f"or {', '.join(FALSE_WORDS)} (any case), or leave it unset for the default ({'on' if default else 'off'})."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (use a long random string, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Development: make one once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _encryption_keys() -> list[str]:
    keys = env_list("FIELD_ENCRYPTION_KEYS")
    if keys:
        return keys
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off (platform tokens are encrypted with it); make one "
            "with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    path = VAR_DIR / "field_encryption_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return [path.read_text().strip()]


FIELD_ENCRYPTION_KEYS = _encryption_keys()

# Hosts -------------------------------------------------------------------------------------------
APP_HOST = env("APP_HOST", "localhost:8000")  # where staff work; used in links we email
PORTAL_DOMAIN = env("PORTAL_DOMAIN", "localhost")  # a client's portal is <slug>.<PORTAL_DOMAIN>
PORTAL_SCHEME = env("PORTAL_SCHEME", "http" if DEBUG else "https")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", f"localhost,127.0.0.1,[::1],{APP_HOST.split(':')[0]},.{PORTAL_DOMAIN}")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Applications ------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",  # first: its runserver serves HTTP and WebSockets (ASGI) with the autoreloader
    "hub.apps.LocalbzzAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "channels",
    "template_partials",
    "localbzz",  # before django_q: its qcluster command (clean shutdown) replaces django-q2's
    "django_q",
    "csp",
    "agency",
    "publishing",
    "analytics",
    "generation",
    "reports",
    "portal",
    "notifications",
    "integrations",
    "hub",  # the top layer: imports every app, imported by none
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # up here: error pages get it too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "localbzz.middleware.ApiTrailingSlashMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agency.audit.DenialAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hub.hosts.PortalHostMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "localbzz.middleware.HtmxMessagesMiddleware",
    "localbzz.middleware.AgencyTimezoneMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "localbzz.wsgi.application"
ASGI_APPLICATION = "localbzz.asgi.application"  # HTTP and the live-update WebSocket (hub.live)

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
                "hub.context_processors.shell",
                "portal.context_processors.portal_shell",
                "hub.context_processors.csp_nonce",
                "hub.context_processors.live",
            ],
            "builtins": ["django.templatetags.static", "django_htmx.templatetags.django_htmx"],
        },
    },
]

# Database ----------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'localbzz.sqlite3'}"),
        # Persistent connections on PostgreSQL: a worker reconnecting for every task forks a
        # server process each time (measured: a third of a publish's cost).
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if env("DATABASE_URL").startswith("postgres") else 0),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids the
    # "database is locked" upgrade race between concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and broker --------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # Django's Redis cache, reusing its Redis clients (see localbzz/cache.py).
    CACHES = {"default": {"BACKEND": "localbzz.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared between the web and worker processes without another service.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sessions in the database with a copy in the cache: a page reads its session with one cache round
# trip instead of a query (localbzz.sessions: Django's cached_db, surviving a cache outage).
SESSION_ENGINE = "localbzz.sessions"

# Read-mostly fragments and lists kept while the tables they read are unchanged (localbzz.datacache).
# Off builds them on every request: to measure what a page costs built (bench/pages.py --modes miss) or to debug.
DATACACHE = env_bool("DATACACHE", True)

Q_CLUSTER = {
    "name": "localbzz",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 300),
    "retry": env_int("Q_RETRY", 360),
    "max_attempts": 1,  # our tasks retry on their own terms (backoff, classification)
    "catch_up": False,
    "ack_failures": True,
    "poll": float(env("Q_POLL", "0.1")),  # ORM broker: how long an idle cluster sleeps between looks
    # ORM broker: tasks a cluster takes per look. 1 keeps clusters fair (a larger bulk lets one
    # cluster lock tasks its busy workers cannot start yet); the Redis broker ignores it.
    "bulk": env_int("Q_BULK", 1),
    "save_limit": 1000,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Live updates (hub.live, docs/architecture.md "Live updates"). With Redis, every process (web
# nodes, worker, dispatcher) hands its committed domain events to the Redis channel layer and each
# web node's sockets get them from there. Without Redis (make run) the layer is in-memory, one web
# process: it reads the events other processes committed from the activity trail ("tail").
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("LIVE_CHANNEL_PREFIX", "localbzz:live")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# "layer": each process sends its events to the channel layer; "tail": the web process reads them
# from the database every LIVE_TAIL_INTERVAL seconds (one web process, no Redis).
LIVE_RELAY = env("LIVE_RELAY", "layer" if REDIS_URL else "tail")
if LIVE_RELAY not in {"layer", "tail"}:
    raise ImproperlyConfigured(f"LIVE_RELAY must be 'layer' or 'tail', not {LIVE_RELAY!r}.")
LIVE_TAIL_INTERVAL = float(env("LIVE_TAIL_INTERVAL", "0.25"))
LIVE_RECHECK_SECONDS = float(env("LIVE_RECHECK_SECONDS", "60"))  # an open socket re-checks its session
# Off: pages open no socket and re-read their live parts every LIVE_POLL_SECONDS (a WSGI-only host).
LIVE_SOCKET = env_bool("LIVE_SOCKET", True)
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 30)  # pages re-read their live parts this often without a socket

# Auth --------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "agency.User"
AUTHENTICATION_BACKENDS = ["agency.auth_backends.StaffBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins: this many within the window lock the account/IP pair for the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Security ----------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Host-only cookies: a client's portal must never share a session with another subdomain.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Security headers and rate limits (docs/architecture.md, "Security headers and rate limits") ------
# Content-Security-Policy (django-csp): no inline script or style anywhere; our <script> tags carry
# the per-response nonce. Media may come from S3 (or its CDN domain) when configured.
from csp.constants import NONCE, NONE, SELF  # noqa: E402


def _storage_origins() -> list[str]:
    origins = []
    if env("AWS_S3_CUSTOM_DOMAIN"):
        origins.append("https://" + env("AWS_S3_CUSTOM_DOMAIN").strip("/"))
    if env("AWS_S3_ENDPOINT_URL"):
        parts = urlsplit(env("AWS_S3_ENDPOINT_URL"))
        origins.append(f"{parts.scheme}://{parts.netloc}")
        if env("AWS_STORAGE_BUCKET_NAME"):  # virtual-hosted style addressing
            origins.append(f"{parts.scheme}://{env('AWS_STORAGE_BUCKET_NAME')}.{parts.netloc}")
    elif env("AWS_STORAGE_BUCKET_NAME"):
        origins.append(f"https://{env('AWS_STORAGE_BUCKET_NAME')}.s3.amazonaws.com")
    return origins


CSP_MEDIA_ORIGINS = _storage_origins() + env_list("CSP_EXTRA_MEDIA_ORIGINS")
# Thumbnails on a shoot's Files card: Drive's thumbnailLink is on Google's image hosts (the fake
# serves its own). Shown, never stored (they expire within hours).
STORAGE_THUMBNAIL_ORIGINS = ["https://*.googleusercontent.com"] + (
    [env("FAKE_PLATFORMS_URL").rstrip("/")] if env("FAKE_PLATFORMS_URL") else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],  # nonce'd <style> blocks only (a client's portal colours); no style="" attributes
        "img-src": [SELF, "data:", "blob:", *CSP_MEDIA_ORIGINS, *STORAGE_THUMBNAIL_ORIGINS],
        "media-src": [SELF, "blob:", *CSP_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],  # the intake form replaces it with INTAKE_FRAME_ANCESTORS
    },
}
if env("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env("CSP_REPORT_URI")]
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
# Rate limits (localbzz.rate_limits): "<count>/<second|minute|hour|day>", per user when signed in,
# per address otherwise. Failed sign-ins are counted separately (LOGIN_FAILURE_LIMIT above).
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)
# Behind a load balancer every request comes from its address: then count by the first
# X-Forwarded-For entry instead (only if the proxy overwrites that header; clients can forge it).
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)
RATE_LIMIT_LOGIN = env("RATE_LIMIT_LOGIN", "20/minute")  # sign-in attempts, pages and API
RATE_LIMIT_UPLOAD = env("RATE_LIMIT_UPLOAD", "1000/hour")  # upload requests; the upload box sends one per file
RATE_LIMIT_API_USER = env("RATE_LIMIT_API_USER", "1200/minute")  # any API call, signed in
RATE_LIMIT_API_ANON = env("RATE_LIMIT_API_ANON", "120/minute")  # any API call, anonymous

# Internationalisation ----------------------------------------------------------------------------
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default: a typed "example.com" becomes https://example.com
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # storage is UTC; staff pages show AGENCY_TIME_ZONE, the portal the client's
AGENCY_TIME_ZONE = env("AGENCY_TIME_ZONE", "America/New_York")
AGENCY_NAME = env("AGENCY_NAME", "LocalBzz")  # how the portal names the agency to clients
AGENCY_CONTACT_EMAIL = env("AGENCY_CONTACT_EMAIL", "hello@localbzz.local")  # whom clients ask
USE_I18N = True
USE_TZ = True

# Public intake form: which sites may embed it in an iframe (CSP frame-ancestors), and how
# many submissions one address may make per hour.
INTAKE_FRAME_ANCESTORS = env_list("INTAKE_FRAME_ANCESTORS", "'self'")
INTAKE_RATE_PER_HOUR = env_int("INTAKE_RATE_PER_HOUR", 10)

# Publishing engine: leases, retries, verification of unknown outcomes, client approval links.
# A claim's lease: renewed every PUBLISH_HEARTBEAT_SECONDS while it waits in a worker or is in
# flight; a lease nobody renews (dead worker, task lost by the broker) is taken back by the sweep
# (every PUBLISH_SWEEP_SECONDS in each dispatcher) and verified or sent again.
PUBLISH_LEASE_SECONDS = env_int("PUBLISH_LEASE_SECONDS", 15)
PUBLISH_HEARTBEAT_SECONDS = float(env("PUBLISH_HEARTBEAT_SECONDS", "4"))
PUBLISH_SWEEP_SECONDS = float(env("PUBLISH_SWEEP_SECONDS", "2"))
# Claims per worker task: their database work is done as one batch, their platform calls all at
# once on the worker's threads (one thread each).
PUBLISH_TASK_SIZE = env_int("PUBLISH_TASK_SIZE", 50)
# Analytics: how long one run of the post-figures sync may go on, batch after batch (under Q_TIMEOUT).
ANALYTICS_SYNC_SECONDS = env_int("ANALYTICS_SYNC_SECONDS", 120)
# Dispatchers claim scheduled targets this many seconds before their time; the worker prepares
# them (rows, media, request) and sends at the scheduled time, never before.
PUBLISH_LOOKAHEAD_SECONDS = float(env("PUBLISH_LOOKAHEAD_SECONDS", "1.5"))
# On SIGTERM a worker finishes in-flight publishes for this long, then hands them back for
# verification (honcho sends SIGKILL 5 s after SIGTERM).
PUBLISH_SHUTDOWN_GRACE_SECONDS = float(env("PUBLISH_SHUTDOWN_GRACE_SECONDS", "3"))
PUBLISH_MAX_ATTEMPTS = env_int("PUBLISH_MAX_ATTEMPTS", 6)
PUBLISH_BACKOFF_BASE_SECONDS = float(env("PUBLISH_BACKOFF_BASE_SECONDS", "2"))
PUBLISH_VERIFY_DELAY_SECONDS = env_int("PUBLISH_VERIFY_DELAY_SECONDS", 5)
PUBLISH_MAX_VERIFY_ATTEMPTS = env_int("PUBLISH_MAX_VERIFY_ATTEMPTS", 6)
# Verification reads what the account published from the attempt's start minus this margin (the
# platforms' clocks are not ours) to now plus it.
PUBLISH_VERIFY_CLOCK_SKEW_SECONDS = env_int("PUBLISH_VERIFY_CLOCK_SKEW_SECONDS", 300)
APPROVAL_LINK_DAYS = env_int("APPROVAL_LINK_DAYS", 7)

# Static and media --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")  # not served: media goes out through signed URLs (publishing.media.urls)
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "signature_version": "s3v4",  # SigV2 presigned URLs are refused by newer regions
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "localbzz.staticfiles.ManifestStaticStorage"  # whitenoise's, each URL worked out once
    },
}

# Media library (publishing.media) ----------------------------------------------------------------
MEDIA_MAX_IMAGE_BYTES = env_int("MEDIA_MAX_IMAGE_BYTES", 30 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = env_int("MEDIA_MAX_VIDEO_BYTES", 1024 * 1024 * 1024)
MEDIA_MAX_FILES_PER_REQUEST = env_int("MEDIA_MAX_FILES_PER_REQUEST", 100)
# Decompression-bomb guard: images with more pixels than this are refused before decoding.
MEDIA_MAX_IMAGE_PIXELS = env_int("MEDIA_MAX_IMAGE_PIXELS", 100_000_000)
# Animated images (GIF, WebP, APNG): at most this many frames, and this many pixels over all frames
# (frames × width × height), read from the header at upload; the worker checks them again.
MEDIA_MAX_FRAMES = env_int("MEDIA_MAX_FRAMES", 300)
MEDIA_MAX_ANIMATION_PIXELS = env_int("MEDIA_MAX_ANIMATION_PIXELS", 100_000_000)
# Decoding, cleaning and renditions run in the worker, in a child process with this memory ceiling
# (address space, MB) and time limit (seconds); a file over them fails with that reason.
MEDIA_WORK_MEMORY_MB = env_int("MEDIA_WORK_MEMORY_MB", 1536)
MEDIA_WORK_SECONDS = env_int("MEDIA_WORK_SECONDS", 90)
# An asset still "processing" this long after its last attempt started is tried again, at most
# MEDIA_PROCESSING_MAX_ATTEMPTS times in all, then marked failed (with a Retry button).
MEDIA_PROCESSING_STALE_SECONDS = env_int("MEDIA_PROCESSING_STALE_SECONDS", 600)
# A monthly report whose job has written no progress (its heartbeat, Report.updated_at) for this
# long is taken as dead (its worker killed) and made again by reports.services.report_sweep.
REPORT_STALE_SECONDS = env_int("REPORT_STALE_SECONDS", 600)
MEDIA_PROCESSING_MAX_ATTEMPTS = env_int("MEDIA_PROCESSING_MAX_ATTEMPTS", 3)
# Uploads stream here (not /tmp); the media sweep removes files in it older than an hour, and
# stored files no row refers to (older than an hour), on the filesystem and on S3.
MEDIA_UPLOAD_TEMP_DIR = Path(env("MEDIA_UPLOAD_TEMP_DIR", str(VAR_DIR / "uploads")))
MEDIA_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_TEMP_DIR = str(MEDIA_UPLOAD_TEMP_DIR)
MEDIA_LEFTOVER_SECONDS = env_int("MEDIA_LEFTOVER_SECONDS", 3600)
# Where platforms (Instagram, Google Business Profile) fetch media stored on the filesystem.
MEDIA_PUBLIC_BASE_URL = env("MEDIA_PUBLIC_BASE_URL").rstrip("/")
MEDIA_URL_EXPIRE_SECONDS = env_int("MEDIA_URL_EXPIRE_SECONDS", 3600)
MEDIA_PUBLIC_URL_EXPIRE_SECONDS = env_int("MEDIA_PUBLIC_URL_EXPIRE_SECONDS", 24 * 3600)
# Attachments (shoots, deliverables, requests: publishing.media.attachments) take the library's photos
# and videos under its limits, and documents (PDF, Office, ZIP) up to this size — never more than the
# largest media limit, where the upload handler stops writing any file.
ATTACHMENT_MAX_DOCUMENT_BYTES = min(
    env_int("ATTACHMENT_MAX_DOCUMENT_BYTES", 100 * 1024 * 1024), max(MEDIA_MAX_IMAGE_BYTES, MEDIA_MAX_VIDEO_BYTES)
)
# Uploads stream to temporary files (nothing holds a whole video in memory); our handler first
# stops writing a file past the largest allowed size and any file past the per-request count.
FILE_UPLOAD_HANDLERS = [
    "publishing.media.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django's own cap stays well above ours, so a person sees our message ("at most 100 files").
DATA_UPLOAD_MAX_NUMBER_FILES = max(1000, MEDIA_MAX_FILES_PER_REQUEST * 10)

# Email -------------------------------------------------------------------------------------------
# With DEBUG (make run): each email in full under var/mail/, one line about it in the log.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", "localbzz.mail.SummaryFileBackend" if DEBUG else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "LocalBzz <no-reply@localbzz.local>")

# REST API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agency.auth_backends.JWTAuthentication",  # simplejwt's, the person kept as a session's is
        "integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agency.api.permissions.IsStaff"],
    "DEFAULT_PAGINATION_CLASS": "localbzz.api.pagination.EnvelopePagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "localbzz.api.filters.SearchFilter",
        "localbzz.api.filters.SortFilter",
    ],
    # Bodies are JSON; the two upload endpoints take multipart (their views say so).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "localbzz.schema.AutoSchema",
    "EXCEPTION_HANDLER": "localbzz.api.errors.exception_handler",
    # Rates come from RATE_LIMIT_* (see the security block above), read per request.
    "DEFAULT_THROTTLE_CLASSES": ["localbzz.rate_limits.ApiUserRate", "localbzz.rate_limits.ApiAnonRate"],
    "PAGE_SIZE": 50,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

from datetime import timedelta  # noqa: E402

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "LocalBzz API",
    "DESCRIPTION": (
        "The LocalBzz REST API: agency CRM, media library, publishing and generation. "
        "Authenticate with `POST /api/v1/auth/token/` (email + password) and send "
        "`Authorization: Bearer <access>`. Lists answer `{items, total, page, page_size, has_more}`; "
        "errors answer `{error: {code, message, details}}`. A body field an operation does not know answers 400 "
        "`unknown_field` naming it (never dropped); read-only fields of an answer are accepted and ignored."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "agency.models.Client.Status",
        "MultiPlatformResultStatusEnum": "generation.models.ResultState",
        "CampaignStatusEnum": "agency.models.Campaign.Status",
        "ShootStatusEnum": "agency.models.Shoot.Status",
        "StorageProviderEnum": "integrations.storage.models.Provider",
        "StorageImportStatusEnum": "integrations.storage.models.StorageImport.Status",
        "DeliverableStatusEnum": "agency.models.Deliverable.Status",
        "TaskStatusEnum": "agency.models.Task.Status",
        "TaskPriorityEnum": "agency.models.Task.Priority",
        "DeliverableTypeEnum": "agency.models.Deliverable.Kind",
        "LeadStatusEnum": "agency.models.Lead.Status",
        "RequestStatusEnum": "agency.models.PortalRequest.Status",
        "RequestPriorityEnum": "agency.models.PortalRequest.Priority",
        "LeadSourceEnum": "agency.models.Lead.Source",
        "MediaStatusEnum": "publishing.models.MediaAsset.Status",
        "ReportStatusEnum": "reports.models.Report.Status",
        "MediaSourceEnum": "publishing.models.MediaAsset.Source",
        "PostStatusEnum": "publishing.states.PostStatus",
        "TargetStatusEnum": "publishing.states.TargetStatus",
        "PostSourceEnum": "publishing.models.Post.Source",
        "GenerationJobStatusEnum": "generation.models.JobStatus",
        "GenerationItemStatusEnum": "generation.models.ItemStatus",
        "GenerationJobKindEnum": "generation.models.GenerationJob.Kind",
        "MediaKindEnum": "publishing.models.MediaAsset.Kind",
        "GenerationPlatformEnum": "generation.api.serializers.PLATFORM_CHOICES",
        "GenerationImagePlatformEnum": "generation.api.serializers.IMAGE_PLATFORM_CHOICES",
        "ImageStyleEnum": "generation.api.serializers.STYLE_NAMES",
        "ImageProviderEnum": "generation.api.serializers.IMAGE_PROVIDER_NAMES",
        "CaptionProviderEnum": "generation.api.serializers.CAPTION_PROVIDER_CHOICES",
        "CaptionPlatformEnum": "publishing.rules.PLATFORMS",
        "SocialPlatformEnum": "publishing.models.SocialAccount.Platform",
        "WebhookDeliveryStatusEnum": "integrations.models.WebhookDelivery.Status",
        "WebhookHealthEnum": "integrations.api.serializers.WEBHOOK_HEALTH",
        "ApiKeyStatusEnum": "integrations.api.serializers.API_KEY_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "localbzz.schema.add_error_responses",
    ],
}

# Platforms ---------------------------------------------------------------------------------------
# Every platform URL lives here so tests, benchmarks and the demo run against the fake platform
# servers (``manage.py run_fake_platforms``). FAKE_PLATFORMS_URL points every entry at one fake;
# PLATFORM_URL_<KEY> (e.g. PLATFORM_URL_PUBLER) overrides a single entry.
from localbzz.platform_urls import PLATFORMS, platform_urls  # noqa: E402

FAKE_PLATFORMS_URL = env("FAKE_PLATFORMS_URL").rstrip("/")
PLATFORM_URLS = platform_urls(FAKE_PLATFORMS_URL, {key: env(f"PLATFORM_URL_{key.upper()}") for key in PLATFORMS})
# Seconds to open a connection / to wait for an answer, for every platform call.
PLATFORM_CONNECT_TIMEOUT = float(env("PLATFORM_CONNECT_TIMEOUT", "5"))
PLATFORM_READ_TIMEOUT = float(env("PLATFORM_READ_TIMEOUT", "30"))
# Polling of asynchronous platform work (Instagram containers, X media, Publer jobs, Google
# posts) within one attempt: first wait, longest wait between polls, and the attempt's budget.
PLATFORM_POLL_INTERVAL = float(env("PLATFORM_POLL_INTERVAL", "1"))
PLATFORM_POLL_MAX_INTERVAL = float(env("PLATFORM_POLL_MAX_INTERVAL", "10"))
PLATFORM_POLL_TIMEOUT = float(env("PLATFORM_POLL_TIMEOUT", "60"))
# Pages (up to 100 posts each) one verification may read before it says "still unknown".
PLATFORM_VERIFY_MAX_PAGES = env_int("PLATFORM_VERIFY_MAX_PAGES", 20)
# App credentials for the OAuth flows; the fake platforms accept their own defaults.
_FAKE = bool(FAKE_PLATFORMS_URL)
META_APP_ID = env("META_APP_ID", "fake-meta-app" if _FAKE else "")
META_APP_SECRET = env("META_APP_SECRET", "fake-meta-secret" if _FAKE else "")
LINKEDIN_CLIENT_ID = env("LINKEDIN_CLIENT_ID", "fake-linkedin-client" if _FAKE else "")
LINKEDIN_CLIENT_SECRET = env("LINKEDIN_CLIENT_SECRET", "fake-linkedin-secret" if _FAKE else "")
X_CLIENT_ID = env("X_CLIENT_ID", "fake-x-client" if _FAKE else "")
X_CLIENT_SECRET = env("X_CLIENT_SECRET", "fake-x-secret" if _FAKE else "")
LINKEDIN_VERSION = env("LINKEDIN_VERSION", "202506")
# Cloud storage (Google Drive, Dropbox: integrations.storage); the fakes accept their own defaults.
GOOGLE_DRIVE_CLIENT_ID = env("GOOGLE_DRIVE_CLIENT_ID", "fake-drive-client" if _FAKE else "")
GOOGLE_DRIVE_CLIENT_SECRET = env("GOOGLE_DRIVE_CLIENT_SECRET", "fake-drive-secret" if _FAKE else "")
DROPBOX_APP_KEY = env("DROPBOX_APP_KEY", "fake-dropbox-app" if _FAKE else "")
# The folder every client's shoot folders go under, at the top of the connected storage.
STORAGE_ROOT_FOLDER = env("STORAGE_ROOT_FOLDER", "LocalBzz shoots")
# An import job with no heartbeat (a file done) for this long lost its worker: the sweep (every
# minute) or the next "Import" re-queues it, and it resumes.
STORAGE_IMPORT_STALE_SECONDS = env_int("STORAGE_IMPORT_STALE_SECONDS", 300)

# Integrations (outgoing webhooks) ------------------------------------------------------------------
# Seconds to open a connection / to wait for an answer when POSTing a webhook.
WEBHOOK_CONNECT_TIMEOUT = float(env("WEBHOOK_CONNECT_TIMEOUT", "5"))
WEBHOOK_READ_TIMEOUT = float(env("WEBHOOK_READ_TIMEOUT", "10"))
# An endpoint whose every attempt failed for this many hours is disabled (admins are emailed).
WEBHOOK_DISABLE_AFTER_HOURS = float(env("WEBHOOK_DISABLE_AFTER_HOURS", "24"))
# Outgoing requests (webhooks, platforms, generation providers) reach public addresses only (no
# private, loopback or link-local targets: SSRF), unless this is on (default: DEBUG, read at start
# so tests keep it); OUTBOUND_PRIVATE_ALLOWLIST names hosts, addresses or networks allowed anyway
# (e.g. "ollama.internal,10.0.5.0/24").
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", DEBUG)
OUTBOUND_PRIVATE_ALLOWLIST = env_list("OUTBOUND_PRIVATE_ALLOWLIST")

# Generation (captions and images) -----------------------------------------------------------------
# Providers: builtin (offline, deterministic), openai (any OpenAI-compatible endpoint), fal (images).
GENERATION_CAPTION_PROVIDER = env("GENERATION_CAPTION_PROVIDER", "builtin")
GENERATION_IMAGE_PROVIDER = env("GENERATION_IMAGE_PROVIDER", "builtin")
GENERATION_OPENAI_BASE_URL = env("GENERATION_OPENAI_BASE_URL", "https://api.openai.com/v1")
GENERATION_OPENAI_API_KEY = env("GENERATION_OPENAI_API_KEY")
GENERATION_OPENAI_CAPTION_MODEL = env("GENERATION_OPENAI_CAPTION_MODEL", "gpt-4o-mini")
GENERATION_OPENAI_IMAGE_MODEL = env("GENERATION_OPENAI_IMAGE_MODEL", "gpt-image-1")
# Ask the images endpoint for base64 (OpenAI's dall-e models answer URLs without it; gpt-image-1 always b64).
GENERATION_OPENAI_IMAGE_B64 = env_bool("GENERATION_OPENAI_IMAGE_B64", False)
GENERATION_FAL_BASE_URL = env("GENERATION_FAL_BASE_URL", "https://queue.fal.run")
GENERATION_FAL_API_KEY = env("GENERATION_FAL_API_KEY")
GENERATION_FAL_MODEL = env("GENERATION_FAL_MODEL", "fal-ai/flux/schnell")
GENERATION_CONNECT_TIMEOUT = float(env("GENERATION_CONNECT_TIMEOUT", "5"))
GENERATION_READ_TIMEOUT = float(env("GENERATION_READ_TIMEOUT", "120"))
GENERATION_MAX_RETRIES = env_int("GENERATION_MAX_RETRIES", 2)
GENERATION_RETRY_BACKOFF = float(env("GENERATION_RETRY_BACKOFF", "1"))
GENERATION_POLL_INTERVAL = float(env("GENERATION_POLL_INTERVAL", "1"))
GENERATION_POLL_TIMEOUT = float(env("GENERATION_POLL_TIMEOUT", "180"))
# How long POST /api/v1/social/multi-platform-posts waits for its images before answering 202.
GENERATION_WAIT_SECONDS = float(env("GENERATION_WAIT_SECONDS", "60"))
# The client API generation uses when a request names none (seed 004's bodies have no client_id):
# a client's slug or id; empty: client_id is required.
GENERATION_API_DEFAULT_CLIENT = env("GENERATION_API_DEFAULT_CLIENT", "")

# Notifications (notifications/): in-app bell and emails to staff --------------------------------
# Base of the links in notification emails; empty: https://APP_HOST (http when DEBUG).
NOTIFICATIONS_BASE_URL = env("NOTIFICATIONS_BASE_URL", "")
# How often an open staff page asks for the bell's unread count (seconds).
NOTIFICATIONS_POLL_SECONDS = max(5, env_int("NOTIFICATIONS_POLL_SECONDS", 60))
# Tries of one notification email before it is marked failed (retried every 5 minutes).
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = max(1, env_int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 5))


# Browser push (notifications/push.py, Web Push with VAPID): the key pair the push services check our
# requests against (VAPID_PRIVATE_KEY: the base64url raw P-256 private key, as `vapid --gen` or
# `npx web-push generate-vapid-keys` print it; the public key is derived from it) and the contact
# they may write to (VAPID_SUBJECT, mailto: or https:). Development makes a key once under VAR_DIR;
# without one in production, browser notifications are off and the settings pages say so.
def _vapid_private_key() -> str:
    key = env("VAPID_PRIVATE_KEY")
    if key or not DEBUG:
        return key
    path = VAR_DIR / "vapid_private_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        raw = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
        path.write_text(base64.urlsafe_b64encode(raw).decode().rstrip("="))
        path.chmod(0o600)
    return path.read_text().strip()


def _vapid_public_key(private: str) -> str:
    if not private:
        return ""
    try:
        raw = base64.urlsafe_b64decode(private + "=" * (-len(private) % 4))
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as exc:
        raise ImproperlyConfigured(
            "VAPID_PRIVATE_KEY is not a base64url P-256 private key (32 bytes); make a pair with "
            "`vapid --gen` (py-vapid) or `npx web-push generate-vapid-keys`."
        ) from exc
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


VAPID_PRIVATE_KEY = _vapid_private_key()
VAPID_PUBLIC_KEY = _vapid_public_key(VAPID_PRIVATE_KEY)
VAPID_SUBJECT = env("VAPID_SUBJECT", f"mailto:{AGENCY_CONTACT_EMAIL}")
# Seconds a push service keeps a notification for a browser that is offline (RFC 8030 TTL).
PUSH_TTL_SECONDS = env_int("PUSH_TTL_SECONDS", 24 * 3600)
PUSH_CONNECT_TIMEOUT = float(env("PUSH_CONNECT_TIMEOUT", "5"))
PUSH_READ_TIMEOUT = float(env("PUSH_READ_TIMEOUT", "10"))
# Tries of one notification to one browser when the push service is busy (429) or failing (5xx),
# waiting PUSH_RETRY_BACKOFF seconds, then twice that, ... (or its Retry-After, up to 30 s).
PUSH_MAX_ATTEMPTS = max(1, env_int("PUSH_MAX_ATTEMPTS", 4))
PUSH_RETRY_BACKOFF = float(env("PUSH_RETRY_BACKOFF", "1"))
# Push endpoints must be https; plain http only to loopback (the fake push service) and only when
# this is on (default: DEBUG).
PUSH_ALLOW_LOOPBACK_HTTP = env_bool("PUSH_ALLOW_LOOPBACK_HTTP", DEBUG)

# Logging: plain lines to stderr; secrets are never passed to loggers in the first place.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # weasyprint.progress tells every step of every PDF (reports/) at INFO: too chatty for a log.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
