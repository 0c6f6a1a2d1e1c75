"""Secrets at rest (platform tokens, API keys): Fernet with key rotation (MultiFernet).

``FIELD_ENCRYPTION_KEYS`` lists Fernet keys, newest first: new values are encrypted with the
first, every listed key can decrypt. To rotate, put a new key first, run
``manage.py rotate_encryption_key`` (re-encrypts every stored secret), then drop the old key.
Plain text never reaches logs: ``mask`` shows the last four characters only.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """Stored ciphertext that no configured key can decrypt (wrong or removed key)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes); make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (answers the same plain text under the new key)."""
    return fernet().rotate(token.encode()).decode() if token else ""


def mask(plain: str) -> str:
    return f"…{plain[-4:]}" if len(plain) > 8 else "…"


# (app_label.Model, field) pairs that hold ciphertext; apps register theirs in AppConfig.ready().
ENCRYPTED_FIELDS: list[tuple[str, str]] = []


def register_encrypted(model_label: str, field: str) -> None:
    if (model_label, field) not in ENCRYPTED_FIELDS:
        ENCRYPTED_FIELDS.append((model_label, field))


def encrypted_property(field: str, doc: str = "") -> property:
    """A model attribute that reads and writes the plain text of the ciphertext field ``field``:
    ``access_token = encrypted_property("access_token_encrypted")``."""

    def get(instance) -> str:
        return decrypt(getattr(instance, field))

    def set_(instance, value: str) -> None:
        setattr(instance, field, encrypt(value))

    return property(get, set_, doc=doc or f"The decrypted value of {field}.")
