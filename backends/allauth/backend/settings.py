"""A minimal django-allauth headless server: email login, no templates of its own.

Environment:
  BACKEND_ORIGINS             comma-separated page origins allowed to call it with cookies
                              (CORS with credentials and CSRF trusted origins)
  BACKEND_EMAIL_VERIFICATION  "required" (allauth's "mandatory", the default) or "optional"
  BACKEND_DATA_DIR            where the SQLite database and sent mails go (default: a new temp dir)
  BACKEND_MAIL_DIR            where the mails it would send are written, one file per mail
                              (default: BACKEND_DATA_DIR/mail)

Only for tests and local trials: the secret key is public and DEBUG is off but runserver is used.
"""

import os
import tempfile
from pathlib import Path

DATA_DIR = Path(os.environ.get("BACKEND_DATA_DIR") or tempfile.mkdtemp(prefix="allauth-backend-"))
ORIGINS = [o for o in os.environ.get("BACKEND_ORIGINS", "").split(",") if o]

SECRET_KEY = "auth-widget-test-backend-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "corsheaders",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "backend",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "backend.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "db.sqlite3"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Mails (verification, password reset) are written to files instead of being sent.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("BACKEND_MAIL_DIR") or DATA_DIR / "mail"

# django-allauth, headless only (https://docs.allauth.org/en/latest/headless/configuration.html)
HEADLESS_ONLY = True
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "http://localhost/verify-email/{key}",
    "account_reset_password_from_key": "http://localhost/reset-password/{key}",
    "account_signup": "http://localhost/signup",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = {"required": "mandatory", "optional": "optional"}[
    os.environ.get("BACKEND_EMAIL_VERIFICATION", "required")
]
# ACCOUNT_RATE_LIMITS stays at allauth's defaults: the tests prove the widget reads them.

# Cross-origin pages (https://github.com/adamchainz/django-cors-headers)
CORS_ALLOWED_ORIGINS = ORIGINS
CORS_ALLOW_CREDENTIALS = True
CSRF_TRUSTED_ORIGINS = ORIGINS
