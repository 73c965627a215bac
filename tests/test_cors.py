"""CORS: the API answers cross-origin calls only from the extension and configured origins."""
import pytest

from tests.harness import start_service, stop_service

EXTENSION_ORIGIN = "chrome-extension://" + "abcdefghijklmnopabcdefghijklmnop"
CONFIGURED_ORIGIN = "https://admin.example.com"


@pytest.fixture(scope="module")
def configured(store, make_database_url):
    running = start_service(make_database_url(store), env={"WAYMARK_CORS_ORIGINS": CONFIGURED_ORIGIN})
    yield running
    stop_service(running)


def preflight(service, origin):
    return service.request("OPTIONS", "/api/v1/guides", token=None, headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, if-none-match"})


def allowed_origin(answer):
    return {key.lower(): value for key, value in answer.headers.items()}.get("access-control-allow-origin")


@pytest.mark.parametrize("origin", [EXTENSION_ORIGIN, CONFIGURED_ORIGIN])
def test_the_extension_and_configured_origins_may_call(configured, origin):
    assert allowed_origin(preflight(configured, origin)) == origin
    answer = configured.get("/api/v1/guides", token="extension", headers={"Origin": origin})
    assert answer.status == 200 and allowed_origin(answer) == origin
    exposed = {key.lower(): value for key, value in answer.headers.items()}["access-control-expose-headers"]
    assert "etag" in exposed.lower(), "the extension reads the ETag to revalidate its cache"


@pytest.mark.parametrize("origin", ["https://evil.example", "chrome-extension://not-an-extension-id",
                                    "null", "https://admin.example.com.evil.example"])
def test_other_origins_get_no_cors_grant(configured, origin):
    assert allowed_origin(preflight(configured, origin)) is None
    assert allowed_origin(configured.get("/api/v1/guides", token="extension", headers={"Origin": origin})) is None


def test_an_origin_is_only_allowed_when_configured(service):
    assert allowed_origin(preflight(service, CONFIGURED_ORIGIN)) is None
    assert allowed_origin(preflight(service, EXTENSION_ORIGIN)) == EXTENSION_ORIGIN
