"""API tokens per role, stored hashed, and the decorator that checks them."""
import functools
import hashlib
import secrets
from typing import NamedTuple

from flask import g, request

from .db import query
from .errors import ApiError
from .models import Token, utcnow

ROLES = ("extension", "author", "admin")


class TokenError(ValueError):
    """A token command was given something it cannot act on."""


def hash_token(token):
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(role, label=""):
    """Store a new token for ``role`` and return ``(token_row, plaintext)``; the plaintext is never stored."""
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    plaintext = f"wm_{role[:3]}_{secrets.token_urlsafe(32)}"
    row = Token.create(role=role, token_hash=hash_token(plaintext),
                       prefix=plaintext[:12], label=label, created_at=utcnow())
    return row, plaintext


def revoke_token(token_or_prefix):
    """Revoke the token given in full, by its id, or by its printed prefix; return how many were revoked."""
    query = Token.revoked_at.is_null()
    if token_or_prefix.isdigit():
        match = Token.id == int(token_or_prefix)
    elif len(token_or_prefix) > 16:
        match = Token.token_hash == hash_token(token_or_prefix)
    else:
        match = Token.prefix == token_or_prefix
    return Token.update(revoked_at=utcnow()).where(query & match).execute()


class ActiveToken(NamedTuple):
    """What a request needs of an active token: which one it is and its role."""
    id: int
    role: str


# Every API request looks its token up: one query on a unique index, written out (peewee
# builds a select in ~250 µs, about what storing 50 events will cost; this runs in ~5)
# and never cached, so a revoked token is refused from the next request on.
_ACTIVE = (f"SELECT {Token.id.column_name}, {Token.role.column_name} FROM {Token._meta.table_name} "
           f"WHERE {{column}} = ? AND {Token.revoked_at.column_name} IS NULL")
_ACTIVE_BY_HASH = _ACTIVE.format(column=Token.token_hash.column_name)
_ACTIVE_BY_ID = _ACTIVE.format(column=Token.id.column_name)


def _active(sql, value):
    rows = query(sql, [value])
    return ActiveToken(*rows[0]) if rows else None


def find_active_token(plaintext):
    """The active token for ``plaintext`` as an ``ActiveToken``, or None."""
    return _active(_ACTIVE_BY_HASH, hash_token(plaintext))


def active_token_by_id(token_id):
    """The active (not revoked) token with this id as an ``ActiveToken``, or None."""
    return _active(_ACTIVE_BY_ID, token_id)


def all_tokens():
    """Every token row, revoked ones too, by id (never their values: only hashes are stored)."""
    return list(Token.select().order_by(Token.id))


def role_allows(token_role, needed_roles):
    """Admin may do everything; otherwise the token's role must be one of those needed."""
    return token_role == "admin" or token_role in needed_roles


def _bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "unauthorized",
                       "Send a token as 'Authorization: Bearer <token>' "
                       "(create one with 'waymark token create --role ROLE').")
    return value.strip()


def require_role(*roles):
    """Decorate a view so it answers 401 without a valid token and 403 with a token of another role."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = find_active_token(_bearer_token())
            if token is None:
                raise ApiError(401, "unauthorized", "This token is unknown or revoked.")
            if not role_allows(token.role, roles):
                raise ApiError(403, "forbidden",
                               f"A {token.role} token cannot do this; it needs a "
                               f"{' or '.join(roles)} token.")
            g.token = token
            return view(*args, **kwargs)
        return wrapper
    return decorator
