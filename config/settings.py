"""Settings for the yearly submission app.

One module for every environment: production differs only by environment
variables (see the README's "Configuration" table).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list without blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# pytest imports itself before it reads these settings; production never has it loaded.
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Development and the test suite only: never used when DEBUG is off.
        SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "nested_admin",
    "axes",
    "csp",
    "reversion",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "submissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's chosen language, over the browser's (LocaleMiddleware's).
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "accounts.context_processors.organizations",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Database: DATABASE_URL, default a SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two workers writing at once would otherwise meet "database is locked":
    # take the write lock when a transaction starts, use WAL, and wait for locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if TESTING:
        # A file, not memory: the browser tests' live server answers each request in a
        # thread of its own, and an in-memory database would be one connection shared by
        # them all (two requests at once, a save and the page's heartbeat, then collide).
        import tempfile

        DATABASES["default"]["TEST"] = {
            "NAME": str(
                Path(tempfile.gettempdir()) / f"yearly-submission-test-{os.getpid()}.sqlite3"
            )
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): failures are counted in the database, so every app
# server sees them; a username is locked from one IP address after the limit.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in with the organization's OpenID Connect provider (accounts/oidc.py); it answers
    # only the provider's callback, and only when DJANGO_OIDC_ISSUER is set.
    "accounts.oidc.ProviderBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# Axes announces itself at every start and logs each attempt at INFO: keep the console for problems.
AXES_VERBOSE = False
# Behind a load balancer every request comes from the balancer's address: with the number of
# proxies in front of the app, the person's address is read from X-Forwarded-For instead.
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.selectors.client_ip"

# A refused CSRF check answers the site's page (or JSON for the autosave), not Django's.
CSRF_FAILURE_VIEW = "submissions.views.errors.csrf_failure"

# Sign-in with the organization's OpenID Connect provider (Microsoft Entra ID, Okta, Keycloak...):
# off while DJANGO_OIDC_ISSUER is empty. The endpoints and keys are read from the issuer's
# discovery document (<issuer>/.well-known/openid-configuration); see the README's
# "Sign-in with Microsoft Entra ID".
OIDC_ISSUER = os.environ.get("DJANGO_OIDC_ISSUER", "").strip()
OIDC_ISSUER_ORIGIN = "/".join(OIDC_ISSUER.split("/")[:3]) if OIDC_ISSUER else ""
# Where the discovery document is, when not under the issuer (rare).
OIDC_DISCOVERY_URL = os.environ.get("DJANGO_OIDC_DISCOVERY_URL", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("DJANGO_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("DJANGO_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("DJANGO_OIDC_SCOPES", "openid profile email")
# What the sign-in button says: "Sign in with Microsoft".
OIDC_PROVIDER_NAME = os.environ.get("DJANGO_OIDC_PROVIDER_NAME", "your organization's account")
# Entra's tenant ids (the tid claim) and e-mail domains let in; empty: any.
OIDC_ALLOWED_TENANTS = env_list("DJANGO_OIDC_ALLOWED_TENANTS")
OIDC_ALLOWED_DOMAINS = [d.lower().lstrip("@") for d in env_list("DJANGO_OIDC_ALLOWED_DOMAINS")]
# A first sign-in is given an organization and role from a claim: DJANGO_OIDC_ROLE_CLAIM names
# it (Entra's "groups": group object ids; or "roles": app roles), DJANGO_OIDC_ROLE_MAP maps its
# values, "value=ORG:role,value=ORG:role". Without a match the person waits for a coordinator
# of DJANGO_OIDC_APPROVAL_ORGANIZATION (default: the only organization, when there is one).
OIDC_ROLE_CLAIM = os.environ.get("DJANGO_OIDC_ROLE_CLAIM", "groups")
OIDC_ROLE_MAP = env_list("DJANGO_OIDC_ROLE_MAP")
OIDC_APPROVAL_ORGANIZATION = os.environ.get("DJANGO_OIDC_APPROVAL_ORGANIZATION", "").strip()
# How long the provider may take to answer (seconds), and the signing algorithms accepted.
OIDC_TIMEOUT = int(os.environ.get("DJANGO_OIDC_TIMEOUT", "10"))
OIDC_SIGNING_ALGORITHMS = env_list("DJANGO_OIDC_SIGNING_ALGORITHMS", "RS256,ES256,PS256")
# mozilla-django-oidc's own settings: PKCE (S256) and a nonce on every sign-in; the ID token
# kept in the session for the provider's logout (id_token_hint).
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
# Password sign-in: "all" (default), or "staff": administrators only, once everyone else signs
# in with the provider.
PASSWORD_LOGIN = os.environ.get("DJANGO_PASSWORD_LOGIN", "all").strip().lower()
if PASSWORD_LOGIN not in ("all", "staff"):
    raise ImproperlyConfigured("DJANGO_PASSWORD_LOGIN must be all or staff.")
# An invitation to join an organization expires after this many days.
INVITATION_DAYS = int(os.environ.get("DJANGO_INVITATION_DAYS", "7"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalization: every user-facing string is marked for translation.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers: one format per kind for each language (config/formats/<language>/).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# The cache holds rendered pieces of the editing page (rows, table of contents) under keys
# that name their content (a row's id, version and time of change): an entry is never stale,
# so each app server keeps its own in memory and nothing is shared or invalidated.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Static files: Bootstrap comes from the django-bootstrap-static package (the
# "bootstrap" app), everything is served by the app through WhiteNoise: no CDN,
# nothing fetched at run time.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development and tests serve static files straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content-Security-Policy (django-csp 4): scripts and styles from our own static files
# only; no inline scripts, event-handler attributes or style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        # Forms that lead to the sign-in provider (logout, an invitation) redirect there.
        "form-action": [SELF, *([OIDC_ISSUER_ORIGIN] if OIDC_ISSUER_ORIGIN else [])],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Background tasks (django-tasks, the backport of Django 6's django.tasks): the Word and PDF
# exports are made off the request. "database" queues them in the database for the worker
# (`manage.py db_worker`, started by `make run` and `make serve-prod`); "immediate" runs them
# at once inside the request that asks, with no worker (the test suite's default).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "immediate" if TESTING else "database")
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured("DJANGO_TASKS_BACKEND must be database or immediate.")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
# Finished exports are kept this long for their download, then removed (on each new export).
EXPORT_JOBS_KEEP_HOURS = int(os.environ.get("DJANGO_EXPORT_JOBS_KEEP_HOURS", "24"))

# E-mail: console in development, SMTP configured by the environment in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
# Mails link to pages: the address people reach the app at.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")

# Paper of the Word and PDF exports, one setting for both: "A4" (the UN's) or "Letter".
DOCUMENT_PAGE_SIZE = os.environ.get("DJANGO_DOCUMENT_PAGE_SIZE", "A4")
if DOCUMENT_PAGE_SIZE not in ("A4", "Letter"):
    raise ImproperlyConfigured("DJANGO_DOCUMENT_PAGE_SIZE must be A4 or Letter.")

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not TESTING)
    # A load balancer checks health over plain HTTP: answer it instead of redirecting.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    # Off only to try production settings over plain HTTP on one's own machine.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool(
        "DJANGO_SECURE_COOKIES", True
    )
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a deployment's opt-in (it binds the whole registered domain and is
        # slow to undo), not a missing protection: HSTS itself is sent either way.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SESSION_COOKIE_HTTPONLY = True
    # The CSRF cookie stays readable: the autosave script sends it as X-CSRFToken.
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
