"""Settings for the registry: one module, values from the environment.

Development and production differ in values, not in structure. `make run` sets
DEBUG=1; production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and
CSRF_TRUSTED_ORIGINS (see docs/deploy.md) and runs `check --deploy`.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():  # local convenience; .env is git-ignored
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# `check --deploy` rejects this default (its prefix is "django-insecure-").
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-only-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "config.apps.StaticFiles",
]
THIRD_PARTY_APPS = [
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "csp",
]
# Bottom to top (docs/architecture.md): the shared machinery, the two domain
# apps, then the faces that compose them.
LOCAL_APPS = [
    "collection",
    "registry",
    "outreach",
    "public",
    "opendata",
    "curation",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files (SVG too) carry the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous answers from the shared cache: outside sessions, language and
    # authentication, inside the security headers and the CSP.
    "collection.pagecache.SharedPageCache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The admin in the language its user chose (the public site's is in its path).
    "collection.middleware.StaffLanguage",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who made a change, for the history of admin and API writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A control character in the path, the query or a form is a 400 (NUL too);
    # an address under /api/ that nothing serves is a 404 in JSON.
    "collection.middleware.ApiNotFoundInJson",
    "collection.middleware.RefuseControlCharacters",
    # Turns a login refused by the lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last, so that every middleware above also handles its 429 answers.
    "collection.throttling.PublicThrottleMiddleware",
    # Its process_exception runs first: a read that lost its database
    # connection is run once more on a new one.
    "collection.middleware.RetryReadAfterLostConnection",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default (the `make run` quick start); PostgreSQL in production and CI.
# An empty DATABASE_URL counts as unset.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared cache (and later throttling) in Redis when REDIS_URL is set; a per-process
# memory cache otherwise, which is enough for one `make run` process.
REDIS_URL = env("REDIS_URL", default="")
# The Redis cache fails open (collection.cache): while Redis is down, pages are
# built afresh and throttles let requests through, instead of a 500.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "collection.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "registry",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous pages and API answers from that cache (collection.pagecache), keyed
# by the data revision: on by default with Redis, shared by every app server.
# A per-process cache would also be correct (each entry names its revision) but
# holds a copy per worker, so it is off without Redis unless asked for.
PAGE_CACHE = env.bool("PAGE_CACHE", default=bool(REDIS_URL))
#: How long an entry stays (a newer revision replaces it sooner).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
#: What a browser or a CDN in front may keep an anonymous answer for.
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", default=60)
#: Larger answers (a whole CSV) are not kept.
PAGE_CACHE_MAX_BYTES = env.int("PAGE_CACHE_MAX_BYTES", default=2_000_000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# The lockout's backend comes first: it refuses a locked-out login before any
# password is checked (AXES_* below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security: safe values unless DEBUG; each can be overridden from the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600)
# Subdomains and preload are irreversible choices for the operator (docs/deploy.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# HSTS on every subdomain (W005) and the browsers' preload list (W021) are hard
# to undo (browsers keep them for a year or more), so they stay off until the
# operator opts in; only while they are off is their deploy check silenced.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
# Every cookie the site sets is Secure (HTTPS only) unless DEBUG, and SameSite=Lax:
# the session, the CSRF token, the language chosen at /i18n/setlang/, and the
# messages (the default storage keeps them in a cookie with the session
# cookie's flags). The lockout keeps no cookie: its state is in the database.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = env.bool("LANGUAGE_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True  # no script reads them
SESSION_COOKIE_AGE = 8 * 60 * 60  # staff sessions end after a working day
X_FRAME_OPTIONS = "DENY"


def _csp_hashes(*sources: str) -> list[str]:
    digests = (hashlib.sha256(source.encode()).digest() for source in sources)
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


# Content-Security-Policy, enforced (docs/deploy.md): scripts, styles, images,
# fonts and requests from this site only; no inline script or style, except
# a script carrying the request's nonce ({{ request.csp_nonce }}: the API
# docs page, which also admits data: images, config/urls.py) and the few
# attributes of third-party admin templates named below, allowed by their
# hash only ('unsafe-hashes' admits no other inline code).
# tests/browser/test_csp.py finds any violation on every page type.
CSP_HASHED_STYLE_ATTRIBUTES = [
    "border-top: 0",  # simple-history's history page
    "padding: 0;",  # import-export's export page
    "font-weight: bold;",  # import-export's export page
]
CSP_HASHED_SCRIPT_ATTRIBUTES = [
    "onSelectToggleChange(event)",  # import-export's export page: select all
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "script-src-attr": [UNSAFE_HASHES, *_csp_hashes(*CSP_HASHED_SCRIPT_ATTRIBUTES)],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_HASHES, *_csp_hashes(*CSP_HASHED_STYLE_ATTRIBUTES)],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Admin login lockout (django-axes, docs/deploy.md): 5 failed sign-ins lock the
# address they came from, and separately the account they named, for 15
# minutes after the last attempt; a success clears that address's and
# account's failures. The state is in the database, not the cache: it holds
# across app servers, and while Redis is down (the cache fails open, the
# lockout must not). The client address is the API throttles' (NUM_PROXIES).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
# An attempt while locked (refused unchecked, even with the right password)
# restarts the wait: guessing never resumes while the attack goes on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_CLIENT_IP_CALLABLE = "curation.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "curation.lockout.lockout_response"
AXES_VERBOSE = False  # no banner in every command's output
#: Whom a locked-out staff member should ask, shown on the lockout page
#: (an e-mail address); empty: "the registry's administrator".
LOCKOUT_CONTACT = env("LOCKOUT_CONTACT", default="")

# Curation (docs/curation.md): spreadsheet import and export, history, the radar.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"  # import_<model>, see Meta.permissions
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # the history records every imported row
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False  # done by the resources, for text only
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
# The admin keeps an uploaded file between its preview and the confirmation: in
# the shared cache when there is one (any app server may take the confirmation),
# otherwise in this host's temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = (  # kept IMPORT_PREVIEW_TTL seconds at most
    "collection.storage.PreviewCacheStorage"
    if REDIS_URL
    else "collection.storage.PreviewFolderStorage"
)
# Every import (admin, command line, seed) is bounded (docs/curation.md): a file
# over a cap is refused whole, with a message, before any row is read further.
#: The largest spreadsheet the admin accepts, in bytes (as uploaded).
IMPORT_MAX_UPLOAD_SIZE = env.int("IMPORT_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
#: The most rows one file may hold (the header not counted).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
#: The most cells (rows × columns) one file may hold.
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=2_000_000)
#: The most bytes an XLSX file may hold once decompressed.
IMPORT_MAX_DECOMPRESSED_SIZE = env.int(
    "IMPORT_MAX_DECOMPRESSED_SIZE", default=64 * 1024 * 1024
)
#: Seconds the admin keeps an uploaded file between its preview and the
#: confirmation; it is deleted sooner when the import is refused or confirmed.
IMPORT_PREVIEW_TTL = env.int("IMPORT_PREVIEW_TTL", default=15 * 60)
SIMPLE_HISTORY_REVERT_DISABLED = True
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="registry@localhost")
#: The site's public address, for links that have no request to take it from:
#: mail sent by commands (the radar), and the page_url column of the built
#: downloads, admin exports and `registry_export`.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The JSON API (docs/api.md): public reads, token-authenticated writes.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "collection.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "collection.formats.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "collection.formats.CSVRenderer",
        "collection.formats.XLSXRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["collection.formats.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "collection.schema.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "collection.formats.ContentNegotiation",
    # One atomic count per request in the shared cache (collection.throttling).
    "DEFAULT_THROTTLE_CLASSES": ["collection.throttling.ApiThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
    },
    # How many proxies set X-Forwarded-For in front of the site; 0 trusts none.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Per-client limits outside the API (collection.throttling, docs/api.md): pages
# for anonymous visitors, and downloads (/data/ files, /events.ics, /feeds/).
# Counted in the shared cache; an empty value turns a limit off.
PUBLIC_PAGE_RATE = env("PUBLIC_PAGE_RATE", default="240/minute") or None
DOWNLOAD_RATE = env("DOWNLOAD_RATE", default="30/minute") or None
SPECTACULAR_SETTINGS = {
    "TITLE": "Labour agreements registry API",
    "DESCRIPTION": (
        "Binational labour agreements between US labour agencies and foreign "
        "consulates, their parties, Labor Rights Week editions and events. "
        "Read access is public; writes need a token. See /api/v1/docs/ and docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "collection.schema.describe_parameters",
        "collection.schema.describe_errors_and_limits",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgreementKindEnum": "registry.models.Agreement.Kind",
        "AgreementStatusEnum": "registry.models.Agreement.Status",
        "OfficeKindEnum": "registry.models.Office.Kind",
        "EventKindEnum": "outreach.models.Event.Kind",
        "EventStatusEnum": "outreach.models.Event.Status",
        "OrganizationKindEnum": "outreach.models.Organization.Kind",
        "ProgrammeKindEnum": "outreach.models.Programme.Kind",
        "DocumentKindEnum": "registry.models.Document.Kind",
        "ContactKindEnum": "registry.models.ContactKind",
        "HelpBasisEnum": ["county", "state", "nearest"],
    },
}
# Anyone may read the API and the open data from another site; only GET.
CORS_URLS_REGEX = r"^/(api|data)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified"]
# Dated snapshots of the open data (manage.py publish_open_data).
OPEN_DATA_ROOT = Path(
    env("OPEN_DATA_ROOT", default=str(BASE_DIR / "opendata-snapshots"))
)
# Today's files of /data/latest/, built once per data revision (opendata.builds).
OPEN_DATA_BUILD_ROOT = Path(
    env("OPEN_DATA_BUILD_ROOT", default=str(BASE_DIR / "opendata-build"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Failed sign-ins and lockouts are warnings; axes' per-login chatter is not.
    "loggers": {"axes": {"level": "WARNING"}},
}
