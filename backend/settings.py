"""Yiwang settings: one module, configured by environment variables.

The defaults are the embedded setup of ``make run`` (SQLite in ``var/``, tasks inline, local-memory cache), so a
newcomer needs nothing else; production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``DEBUG=0`` and
``ALLOWED_HOSTS`` (see docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


def _development_secret_key() -> str:
    """A random key persisted in var/, so sessions survive restarts of a development server.

    Production must set SECRET_KEY; this only spares a newcomer from inventing one.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
# Rotation: the previous key(s) still validate sessions and tokens until they expire (docs/SECURITY.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# How many reverse proxies stand in front of the app; used to find the client address for throttling.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
# allauth's login rate limits count per client IP too: the same proxy count, or behind a load balancer every
# resident would share the balancer's address (and its 30 logins a minute).
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "backend.core",
    "backend.accounts",
    "backend.workflow",
    "backend.registries",
    "backend.faceauth",
    "backend.catalogue",
    "backend.cases",
    "backend.servicemodules",
    "backend.cityevents",
    "backend.appointments",
    "backend.notifications",
    "backend.drafts",
    "backend.delegation",
    "backend.assisted",
    "backend.proactive",
    "backend.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backend.core.middleware.ApiErrorMiddleware",
    "backend.core.bodies.BodyLimitMiddleware",  # before anything reads a body: 413 over REQUEST_BODY_MAX_BYTES
    "backend.accounts.middleware.NormalizePhoneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "backend.core.audit.PersonalDataAuditMiddleware",
    "backend.delegation.middleware.ActingForMiddleware",  # scopes X-Acting-For to the request, records the use
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'yiwang.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two concurrent decisions queue instead of failing
    # with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background tasks ---------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis, degrading to process-local memory while Redis is unreachable (backend/core/cache.py: throttles and login
    # rate limits keep working, per process, instead of failing open or refusing every login). Short socket timeouts
    # bound what an unreachable (rather than refusing) Redis costs the first request that notices.
    CACHES = {
        "default": {
            "BACKEND": "backend.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "yw",
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yiwang"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Publishing to a broker that is down fails after ~1 s instead of hanging the request that published.
# visibility_timeout: a task taken by a worker host that died (not just a pool process) is redelivered after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "visibility_timeout": 900}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late: a killed worker holds back at most one task per process
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Queues, so each kind of work gets its own workers in production (docs/DEPLOYMENT.md); `make worker` consumes all.
# Exact names win over patterns: the outbox sweep is periodic work, though it lives with the push task.
CELERY_TASK_ROUTES = {
    "backend.notifications.tasks.repush_pending": {"queue": "periodic"},
    "backend.notifications.tasks.*": {"queue": "push"},
    "backend.cases.tasks.*": {"queue": "periodic"},
    "backend.core.tasks.*": {"queue": "periodic"},  # the sweeps' names before issue 12, kept as aliases
    "backend.drafts.tasks.*": {"queue": "periodic"},
    "backend.proactive.tasks.*": {"queue": "periodic"},
}
CELERY_BEAT_SCHEDULE = {
    # hourly; clerk digests are sent once per Shanghai day, overdue notices once per case
    "statutory-clock-sweep": {"task": "backend.cases.tasks.sweep_statutory_clock", "schedule": 3600.0},
    "repush-pending": {"task": "backend.notifications.tasks.repush_pending", "schedule": 300.0},
    # daily; deletes drafts unchanged for 30 days and warns 3 days ahead, each notice once
    "draft-expiry-sweep": {"task": "backend.drafts.tasks.sweep_expired_drafts", "schedule": 86400.0},
    # every 5 minutes; assisted sessions past ASSISTED_SESSION_MINUTES end expired (their pending form dropped)
    "assisted-session-expiry": {"task": "backend.assisted.tasks.expire_sessions", "schedule": 300.0},
    # daily; ends mandates past their end date and reminds both sides 30 days ahead, each notice once
    "mandate-expiry-sweep": {"task": "backend.delegation.tasks.sweep_mandates", "schedule": 86400.0},
    # 免申即享: hourly, the residents whose registry data changed (or who turned eligible by age); daily, everyone
    "proactive-scan": {"task": "backend.proactive.tasks.proactive_scan", "schedule": 3600.0},
    "proactive-full-scan": {
        "task": "backend.proactive.tasks.proactive_scan",
        "schedule": 86400.0,
        "kwargs": {"full": True},
    },
}

# --- auth -------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "PASSWORD_HASHERS",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)

# django-allauth: headless only, app client (X-Session-Token), login by phone + password, SMS-verified sign-up.
ACCOUNT_ADAPTER = "backend.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Six digits, as residents know SMS codes; allauth's default is letters with a dash.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "verify_phone": "5/m/key",
}
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = False
HEADLESS_TOKEN_STRATEGY = "backend.accounts.tokens.SingleLookupSessionTokenStrategy"  # one session query, not two
# Where SMS codes go. The development backend writes them to the log; tests use the in-memory outbox.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "backend.accounts.sms.LogSmsBackend")

# --- REST API ---------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # the session token / the session, each resolving X-Acting-For (亲情代办, backend/delegation/authentication.py)
        "backend.delegation.authentication.ActingForTokenAuthentication",
        "backend.delegation.authentication.ActingForSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON bodies must be objects (a top-level array or number used to crash views with a 500): backend/core/parsers.py
    "DEFAULT_PARSER_CLASSES": [
        "backend.core.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.core.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "backend.core.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "NUM_PROXIES": NUM_PROXIES or None,
    "DEFAULT_THROTTLE_RATES": {
        "face": os.environ.get("THROTTLE_FACE", "30/min"),
        "submit": os.environ.get("THROTTLE_SUBMIT", "60/min"),
        "anon": os.environ.get("THROTTLE_ANON", "300/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yiwang (一网) API",
    "DESCRIPTION": "Citizen super-app backend: zero-material government services, face checks, city events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from the bundled sidecar package: the docs work offline, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Unambiguous names: check --deploy fails on schema warnings, schemathesis fuzzes it (backend/core/schema.py)
    "PREPROCESSING_HOOKS": ["backend.core.schema.preprocess"],
    # <id:pk> paths are bounded ids (backend/core/ids.py: ID_SCHEMA; a test checks the two agree)
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "backend.cases.models.Status",
        "EventStatusEnum": "backend.cityevents.models.EventStatus",
        "FaceAdviceCodeEnum": "backend.faceauth.services.ADVICE_CODES",
        "FaceAdviceNextEnum": "backend.faceauth.services.NEXT_PATHS",
        "BookingPurposeEnum": "backend.appointments.models.BookingPurpose",
        "AssistedSessionStatusEnum": "backend.assisted.models.SessionStatus",
    },
}

# --- i18n -------------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Largest request body (any content type) before it is read: 413 payload_too_large above it. The largest legitimate
# JSON body (a case form, an event report with its longest description) is a few KB; 1 MiB leaves a wide margin and
# bounds what one request can make the parser build (~7 MB of objects). Photo views raise it for multipart bodies
# (FACE_MAX_UPLOAD_BYTES, EVENTS_PHOTO_MAX_BYTES): backend/core/bodies.py, docs/SECURITY.md.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- security (production values come from the environment; see docs/DEPLOYMENT.md) ---------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # the load balancer probes the app over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Yiwang ---------------------------------------------------------------------------------------------------
# Prefix of case reference numbers (ZZ = 郑州 Zhengzhou).
CITY_CODE = os.environ.get("CITY_CODE", "ZZ")

# --- service modules (docs/ADDING_A_SERVICE.md) ------------------------------------------------------------------
# The deployment's allow-list of service codes, comma-separated. Unset: every built-in service (backend/servicemodules)
# and no third-party one; set: exactly the listed ones, so an installed package is never switched on by itself.
YIWANG_SERVICES: list[str] | None = env_list("YIWANG_SERVICES", []) or None
# Per-service settings overriding the defaults a module declares in `settings`: {"service-code": {"name": value}}.
YIWANG_SERVICE_SETTINGS: dict[str, dict[str, object]] = {}


def allow_listed_service_apps(allowed: list[str] | None) -> list[str]:
    """The Django apps of allow-listed third-party services (entry point group ``yiwang.apps``, named by service
    code, valued by the app's dotted path): read from the package metadata without importing anything, because
    settings load before Django's app registry."""
    if not allowed:
        return []
    from importlib.metadata import entry_points

    return [ep.value for ep in entry_points(group="yiwang.apps") if ep.name in allowed]


INSTALLED_APPS = [*INSTALLED_APPS, *allow_listed_service_apps(YIWANG_SERVICES)]
# Face liveness: "off" (stills accepted, the make-run default) or "active" (blink/turn actions in frames).
FACE_LIVENESS = os.environ.get("FACE_LIVENESS", "off")
# Key for encrypting face templates and other sensitive fields at rest (comma-separated: first encrypts,
# all decrypt, for rotation). Falls back to a key derived from SECRET_KEY in development.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
# Keys of the blind indexes that find identity numbers without storing them (comma-separated, first is current;
# lookups try all, for rotation with `manage.py rotate_id_keys`). Separate from the encryption keys: see
# backend/core/crypto.py. Falls back to a key derived from SECRET_KEY in development.
ID_INDEX_KEYS = env_list("ID_INDEX_KEYS", [])

# Push: the idempotent wrapper (one push per notification, also when a worker dies mid-task) around the provider.
PUSH_BACKEND = "backend.notifications.push.IdempotentPushBackend"
PUSH_PROVIDER = os.environ.get("PUSH_PROVIDER", "backend.notifications.push.LogPushBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
