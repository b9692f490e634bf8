"""Django settings of the console, read once from the environment and the terminal config.

IMDMS_CONFIG             the TOML whose [collector] database and suppress_below are used
IMDMS_CONSOLE_DATABASE   override collector.database (a SQLite path or postgresql:// URL)
IMDMS_CONSOLE_SECRET     file holding the secret key (default: the systemd credential
                         $CREDENTIALS_DIRECTORY/console-secret-key)
IMDMS_CONSOLE_SESSION_S  idle session timeout in seconds (default 900)
IMDMS_CONSOLE_LOCKOUT    failed sign-ins before an account is locked for 15 min (default 5)
IMDMS_CONSOLE_STALE_S    a terminal silent this long is stale on the operations page (600)
IMDMS_CONSOLE_STATS_CACHE_S  the statistics tables are reused this long per filter set (120)
IMDMS_CONSOLE_HOSTS      comma-separated host names served (default localhost,127.0.0.1)
IMDMS_CONSOLE_HTTP=1     allow cookies over plain HTTP (the local demo and the tests only)
IMDMS_CONFIG's [watchlist] signing_key_credential and [broker]: the watchlist page's publish
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from console.dburl import django_database

HERE = Path(__file__).resolve().parent
SECRET_CREDENTIAL = "console-secret-key"


def _collector() -> tuple[str, int]:
    from config.loader import load_config

    path = os.environ.get("IMDMS_CONFIG")
    cfg = load_config(path, required=bool(path) and "IMDMS_CONSOLE_DATABASE" not in os.environ)
    url = os.environ.get("IMDMS_CONSOLE_DATABASE") or cfg.collector.database
    return url, cfg.collector.suppress_below


def _secret_key() -> str:
    path = os.environ.get("IMDMS_CONSOLE_SECRET")
    if not path and os.environ.get("CREDENTIALS_DIRECTORY"):
        path = os.path.join(os.environ["CREDENTIALS_DIRECTORY"], SECRET_CREDENTIAL)
    try:
        key = Path(path).read_text(encoding="utf-8").strip() if path else ""
    except OSError as err:
        raise ImproperlyConfigured(f"cannot read the console secret key {path}: {err}") from err
    if len(key) < 32:
        raise ImproperlyConfigured(
            "no console secret key (32+ characters): give it as the systemd credential"
            f" {SECRET_CREDENTIAL} or a file named by IMDMS_CONSOLE_SECRET"
        )
    return key


CENTRAL_DATABASE, COLLECTOR_SUPPRESS_BELOW = _collector()
SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = os.environ.get("IMDMS_CONSOLE_HOSTS", "localhost,127.0.0.1").split(",")
if os.environ.get("IMDMS_CONSOLE_TESTING") == "1":
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "console.apps.ConsoleConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # collected static files, no CDN
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.roles.nav",
            ]
        },
    }
]
DATABASES = {"default": django_database(CENTRAL_DATABASE)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# shared by the gunicorn workers and `imdms console warm` (console.tables_cache)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "console_cache",
    }
}

# Argon2id first (argon2-cffi); older hashes still verify and are upgraded at sign-in
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "/signin/"
LOCKOUT_FAILURES = int(os.environ.get("IMDMS_CONSOLE_LOCKOUT", "5"))
LOCKOUT_MINUTES = 15
STALE_AFTER_S = int(os.environ.get("IMDMS_CONSOLE_STALE_S", "600"))
# the statistics page's tables are shared this long per set of filters (0: always fresh);
# imdms-console-warm.timer recomputes the default views every minute
STATS_CACHE_S = int(os.environ.get("IMDMS_CONSOLE_STATS_CACHE_S", "120"))

# an idle session ends after SESSION_COOKIE_AGE: every request pushes the expiry forward
SESSION_COOKIE_AGE = int(os.environ.get("IMDMS_CONSOLE_SESSION_S", "900"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
_HTTPS = os.environ.get("IMDMS_CONSOLE_HTTP") != "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Strict"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("IMDMS_CONSOLE_ORIGINS", "").split(",") if o]

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("IMDMS_CONSOLE_STATIC_ROOT", "/var/lib/imdms/console-static")
LANGUAGE_CODE = "en"
TIME_ZONE = "Africa/Maseru"
USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    # request lines carry query strings (a traced document number): never log them
    "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "WARNING"}},
}
