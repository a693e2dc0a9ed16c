"""Encryption of personal data at rest: Fernet (AES-128-CBC + HMAC-SHA256) tokens and keyed blind indexes.

Why not a field library? django-fernet-encrypted-fields (0.4.0) derives its keys from ``SECRET_KEY`` + a
``SALT_KEY`` and, when a value does not decrypt, silently hands the ciphertext back as if it were the value, which
turns a key mistake into wrong data instead of an error; django-searchable-encrypted-fields has no key rotation
for its hash keys. ``cryptography``'s :class:`~cryptography.fernet.MultiFernet` gives exactly the rotation we want
(first key encrypts, every key decrypts, ``rotate()`` re-encrypts) in a few lines, and one module serves face
templates and identity numbers alike.

Keys (``settings.FIELD_ENCRYPTION_KEYS``): each entry is either a Fernet key (``Fernet.generate_key()``) or any other
high-entropy string, from which a key is derived with HKDF-SHA256. A *purpose* (``b"registry-id-number"``) derives
a separate sub-key per kind of data, so that a leak of one kind's key does not open another's. The empty purpose is
the face templates' and uses the configured keys as they are (templates were encrypted that way before purposes
existed). With no key configured (development), keys are derived from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``.

Each token is bound to a *context* (the user id, the blind index of the number) that is part of the encrypted
plaintext and checked on decryption: copying one row's ciphertext onto another row does not make it decrypt there.

Blind indexes (``settings.ID_INDEX_KEYS``, same format, first is current): HMAC-SHA256 of the normalised value. They
let the database answer "which row has this ID number?" without holding the number; the key is separate from the
encryption keys because an identity number has only ~10⁹ plausible values (region × birth date × sequence), so an
index under a known key is a dictionary away from the plaintext. Lookups compute the index under *every*
configured index key, which is what makes the index key rotatable (``manage.py rotate_id_keys``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_SALT = b"yiwang-field-encryption-v1"
_MAGIC = b"YWE1"


class Unreadable(Exception):
    """A stored token does not decrypt with any configured key, or belongs to another context."""


def _derive(secret: bytes, info: bytes) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(secret)
    return base64.urlsafe_b64encode(key)


def _as_fernet_key(value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) == 32 and len(value) == 44:
        return value.encode("ascii")
    return _derive(value.encode("utf-8"), b"field-encryption-key")


def _for_purpose(fernet_key: bytes, purpose: bytes) -> bytes:
    if not purpose:
        return fernet_key
    return _derive(base64.urlsafe_b64decode(fernet_key), b"purpose:" + purpose)


def _setting_list(name: str) -> tuple[str, ...]:
    value = getattr(settings, name, None) or []
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value if v and v.strip())


def _secret_keys() -> tuple[str, ...]:
    return tuple(s for s in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])) if s)


@functools.lru_cache(maxsize=16)
def _keyring(
    keys: tuple[str, ...], secret_keys: tuple[str, ...], purpose: bytes, with_secret_derived: bool
) -> MultiFernet:
    return MultiFernet(_fernets(keys, secret_keys, purpose, with_secret_derived))


@functools.lru_cache(maxsize=16)
def _fernets(
    keys: tuple[str, ...], secret_keys: tuple[str, ...], purpose: bytes, with_secret_derived: bool
) -> list[Fernet]:
    derived = [_derive(s.encode("utf-8"), b"secret-key-derived") for s in secret_keys]
    fernet_keys = [_as_fernet_key(k) for k in keys] if keys else derived
    if keys and with_secret_derived:
        fernet_keys += derived  # decrypt-only: they come after the configured keys
    if not fernet_keys:
        raise RuntimeError("no key to encrypt data at rest: set FIELD_ENCRYPTION_KEYS or SECRET_KEY")
    return [Fernet(_for_purpose(k, purpose)) for k in fernet_keys]


def keyring(purpose: bytes = b"", *, with_secret_derived: bool = False) -> MultiFernet:
    """The current key ring for ``purpose`` (rebuilt when the settings change, e.g. in tests).

    ``with_secret_derived`` adds the SECRET_KEY-derived development keys *after* the configured ones, for moving
    data encrypted before keys were configured (``rotate_face_keys --from-secret-key``).
    """
    return _keyring(_setting_list("FIELD_ENCRYPTION_KEYS"), _secret_keys(), purpose, with_secret_derived)


def is_current(token: str, *, purpose: bytes = b"") -> bool:
    """Whether ``token`` is encrypted under the current (first) key: rotation skips such rows when restarted."""
    current = _fernets(_setting_list("FIELD_ENCRYPTION_KEYS"), _secret_keys(), purpose, False)[0]
    try:
        current.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError):
        return False
    return True


def _frame(data: bytes, context: bytes) -> bytes:
    if len(context) > 255:
        raise ValueError("context too long")
    return _MAGIC + bytes([len(context)]) + context + data


def encrypt(data: bytes, *, context: bytes, purpose: bytes = b"") -> str:
    """Encrypt ``data`` with the first key; the token (ASCII) is what the database stores."""
    return keyring(purpose).encrypt(_frame(data, context)).decode("ascii")


def decrypt(token: str, *, context: bytes, purpose: bytes = b"", with_secret_derived: bool = False) -> bytes:
    """Decrypt with any configured key and check the context; raises :class:`Unreadable`."""
    try:
        plain = keyring(purpose, with_secret_derived=with_secret_derived).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise Unreadable("token does not decrypt with any configured key") from exc
    prefix = _frame(b"", context)
    if not plain.startswith(prefix):
        raise Unreadable("token belongs to another context")
    return plain[len(prefix) :]


def rotate(token: str, *, purpose: bytes = b"", with_secret_derived: bool = False) -> str:
    """Re-encrypt a token under the first (current) key; raises :class:`Unreadable`."""
    try:
        ring = keyring(purpose, with_secret_derived=with_secret_derived)
        return ring.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise Unreadable("token does not decrypt with any configured key") from exc


@functools.lru_cache(maxsize=16)
def _index_keys(keys: tuple[str, ...], secret_keys: tuple[str, ...]) -> tuple[bytes, ...]:
    info = b"blind-index-key" if keys else b"secret-key-derived-blind-index-key"
    derived = tuple(base64.urlsafe_b64decode(_derive(k.encode("utf-8"), info)) for k in keys or secret_keys)
    if not derived:
        raise RuntimeError("no key for blind indexes: set ID_INDEX_KEYS or SECRET_KEY")
    return derived


def index_keys() -> tuple[bytes, ...]:
    """The blind-index keys, current first (development: derived from SECRET_KEY and its fallbacks)."""
    return _index_keys(_setting_list("ID_INDEX_KEYS"), _secret_keys())


def blind_index(value: str, *, purpose: bytes) -> str:
    """HMAC-SHA256 (hex) of ``value`` under the current index key: what a row stores."""
    return _hmac(index_keys()[0], value, purpose)


def blind_indexes(value: str, *, purpose: bytes) -> list[str]:
    """The index of ``value`` under every configured index key: what a lookup matches (``__in``)."""
    return [_hmac(key, value, purpose) for key in index_keys()]


def _hmac(key: bytes, value: str, purpose: bytes) -> str:
    return hmac.new(key, purpose + b"\x00" + value.encode("utf-8"), hashlib.sha256).hexdigest()
