"""Encryption of face templates at rest: Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``.

Why not django-fernet-encrypted-fields (installed, 0.4.0)? It derives its keys from ``SECRET_KEY`` + a
``SALT_KEY`` setting and cannot use ``FIELD_ENCRYPTION_KEYS``; and when a value does not decrypt it silently hands
the ciphertext back as if it were the value, which for a biometric template would turn a key mistake into
"nobody's face matches" instead of an error. ``cryptography``'s :class:`~cryptography.fernet.MultiFernet` gives
exactly the rotation we want (first key encrypts, every key decrypts, ``rotate()`` re-encrypts) in a few lines.

Keys (``settings.FIELD_ENCRYPTION_KEYS``): each entry is either a Fernet key (``Fernet.generate_key()``, 32
url-safe base64 bytes) used as is, or any other high-entropy string, from which a Fernet key is derived with
HKDF-SHA256. With no key configured (development), keys are derived from ``SECRET_KEY`` and
``SECRET_KEY_FALLBACKS``, so templates survive a restart but not a change of SECRET_KEY without fallback.

Each token is bound to a *context* (for templates: the user id) that is part of the encrypted plaintext and checked
on decryption, so copying one user's ciphertext onto another user's row in the database does not make it
decrypt as theirs.
"""

from __future__ import annotations

import base64
import binascii
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from . import conf

_SALT = b"yiwang-field-encryption-v1"
_MAGIC = b"YWE1"


class TemplateUnreadable(Exception):
    """A stored token does not decrypt with any configured key, or belongs to another context."""


def _derive(secret: str, info: bytes) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(key)


def _as_fernet_key(value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) == 32 and len(value) == 44:
        return value.encode("ascii")
    return _derive(value, b"field-encryption-key")


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], secret_keys: tuple[str, ...], with_secret_derived: bool) -> MultiFernet:
    derived = [_derive(s, b"secret-key-derived") for s in secret_keys if s]
    fernet_keys = [_as_fernet_key(k) for k in keys] if keys else derived
    if keys and with_secret_derived:
        fernet_keys += derived  # decrypt-only: they come after the configured keys
    if not fernet_keys:
        raise RuntimeError("no key to encrypt face templates: set FIELD_ENCRYPTION_KEYS or SECRET_KEY")
    return MultiFernet([Fernet(k) for k in fernet_keys])


def fernet(*, with_secret_derived: bool = False) -> MultiFernet:
    """The current key ring (rebuilt when the settings change, e.g. in tests).

    ``with_secret_derived`` adds the SECRET_KEY-derived development keys *after* the configured ones, for
    ``rotate_face_keys --from-secret-key`` only (moving templates enrolled before keys were configured).
    """
    secret_keys = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return _fernet(tuple(conf.field_encryption_keys()), tuple(secret_keys), with_secret_derived)


def _frame(data: bytes, context: bytes) -> bytes:
    if len(context) > 255:
        raise ValueError("context too long")
    return _MAGIC + bytes([len(context)]) + context + data


def encrypt(data: bytes, *, context: bytes) -> str:
    """Encrypt ``data`` with the first key; the token (ASCII) is what the database stores."""
    return fernet().encrypt(_frame(data, context)).decode("ascii")


def decrypt(token: str, *, context: bytes) -> bytes:
    """Decrypt with any configured key and check the context; raises :class:`TemplateUnreadable`."""
    try:
        plain = fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise TemplateUnreadable("token does not decrypt with any configured key") from exc
    prefix = _frame(b"", context)
    if not plain.startswith(prefix):
        raise TemplateUnreadable("token belongs to another context")
    return plain[len(prefix) :]


def rotate(token: str, *, with_secret_derived: bool = False) -> str:
    """Re-encrypt a token under the first (current) key; raises :class:`TemplateUnreadable`."""
    try:
        return fernet(with_secret_derived=with_secret_derived).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise TemplateUnreadable("token does not decrypt with any configured key") from exc
