"""Security headers on what browsers render from us, and `check --deploy` clean with the production environment
documented in docs/DEPLOYMENT.md (and dirty without it: the check is not vacuous)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "yiwang.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://yiwang.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "BEHIND_TLS_PROXY": "1",
    "NUM_PROXIES": "1",
}


@pytest.fixture
def production(settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_api_responses_carry_the_security_headers(production) -> None:
    response = Client().get("/api/v1/health", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_plain_http_is_redirected_to_https_except_the_health_probe(production) -> None:
    response = Client().get("/api/v1/services", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Client().get("/api/v1/health", HTTP_X_FORWARDED_PROTO="http").status_code == 200


def test_admin_pages_have_a_content_security_policy(production) -> None:
    response = Client().get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"


def test_error_pages_under_the_api_carry_the_api_policy() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response["Content-Security-Policy"].startswith("default-src 'none'")


def _check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "ID_INDEX_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "YIWANG_VAR_DIR": str(ROOT / "var" / "check-deploy"),
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_environment() -> None:
    result = _check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_it() -> None:
    result = _check_deploy({"DEBUG": "0", "ALLOWED_HOSTS": "yiwang.example.org"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
