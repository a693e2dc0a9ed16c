"""Encryption of face templates at rest: the shared field encryption of :mod:`backend.core.crypto`.

Templates use the configured ``FIELD_ENCRYPTION_KEYS`` as they are (the empty purpose), each token bound to its
user id, so a template copied onto another user's row does not decrypt as theirs.
"""

from __future__ import annotations

from backend.core import crypto

TemplateUnreadable = crypto.Unreadable


def encrypt(data: bytes, *, context: bytes) -> str:
    """Encrypt ``data`` with the first key; the token (ASCII) is what the database stores."""
    return crypto.encrypt(data, context=context)


def decrypt(token: str, *, context: bytes) -> bytes:
    """Decrypt with any configured key and check the context; raises :class:`TemplateUnreadable`."""
    return crypto.decrypt(token, context=context)


def rotate(token: str, *, with_secret_derived: bool = False) -> str:
    """Re-encrypt a token under the first (current) key; raises :class:`TemplateUnreadable`."""
    return crypto.rotate(token, with_secret_derived=with_secret_derived)
