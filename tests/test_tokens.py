"""Tokens: stored hashed, per role, revocable from the command line."""
import pytest

from waymark.models import Token
from waymark.tokens import active_token_by_id, create_token, find_active_token, revoke_token, role_allows


def test_token_is_stored_hashed_never_in_plain(database):
    row, plaintext = create_token("author")
    stored = Token.get_by_id(row.id)
    assert plaintext not in (stored.token_hash, stored.label)
    assert find_active_token(plaintext).id == row.id


def test_revoked_token_is_no_longer_found(database):
    row, plaintext = create_token("extension")
    other, _ = create_token("admin")
    assert find_active_token(plaintext) == (row.id, "extension")
    assert active_token_by_id(other.id) == (other.id, "admin")
    assert revoke_token(row.prefix) == 1
    assert find_active_token(plaintext) is None and active_token_by_id(row.id) is None
    assert active_token_by_id(other.id).role == "admin"
    assert find_active_token("wm_ext_unknown") is None and active_token_by_id(10 ** 9) is None


def test_a_revoked_token_is_refused_from_the_next_request(client):
    row, plaintext = create_token("extension")
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.post("/api/v1/events", json={"events": []}, headers=headers).status_code == 200
    revoke_token(str(row.id))
    answer = client.post("/api/v1/events", json={"events": []}, headers=headers)
    assert answer.status_code == 401
    assert answer.json["error"]["message"] == "This token is unknown or revoked."


@pytest.mark.parametrize("token_role, needed, allowed", [
    ("admin", ("author",), True),
    ("author", ("author",), True),
    ("extension", ("author",), False),
    ("author", ("admin",), False),
])
def test_role_allows(token_role, needed, allowed):
    assert role_allows(token_role, needed) is allowed


def test_token_command_creates_and_revokes(service):
    created = service.cli("token", "create", "--role", "extension", "--quiet").stdout.strip()
    assert created.startswith("wm_ext_")
    assert service.get("/api/v1/guides", token=created).status != 401
    service.cli("token", "revoke", created)
    answer = service.get("/api/v1/guides", token=created)
    assert answer.status == 401
    assert answer.json["error"]["code"] == "unauthorized"


def test_unknown_role_is_refused_by_the_command(service):
    result = service.cli("token", "create", "--role", "root", check=False)
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
