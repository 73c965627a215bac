"""The guides API through a real ``waymark serve`` process, on both stores."""
import json
from urllib.parse import quote

import pytest


def make_guide(guide_id, include=("https://app.example.com/*",), exclude=None, roles=None, **extra):
    """A small valid guide; keyword arguments replace top-level fields."""
    document = {
        "id": guide_id,
        "title": "Submit an expense",
        "match": {"include": list(include)},
        "steps": [
            {"id": "start", "title": "Start", "body": "Click **New**.",
             "target": {"selector": "[data-testid=new]", "text": "New"}, "advance": {"on": "click"}},
            {"id": "done", "title": "Done", "body": "That's all."},
        ],
    }
    if exclude:
        document["match"]["exclude"] = list(exclude)
    if roles:
        document["audience"] = {"roles": list(roles)}
    document.update(extra)
    return document


def served_ids(service, query, role="extension"):
    answer = service.get(f"/api/v1/guides{query}", token=role)
    assert answer.status == 200, answer.text
    return [guide["id"] for guide in answer.json["guides"]]


def test_publish_makes_version_one_then_unchanged_keeps_it(service, unique_id):
    guide = make_guide(unique_id)
    first = service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    assert (first.status, first.json) == (201, {"id": unique_id, "version": 1, "created": True,
                                                "warnings": []})
    again = service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    assert (again.status, again.json["version"], again.json["created"]) == (200, 1, False)


def test_a_changed_document_is_a_new_version_with_history(service, unique_id):
    service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id), token="author")
    changed = service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id, title="New title"),
                          token="author")
    assert (changed.status, changed.json["version"]) == (201, 2)
    history = service.get(f"/api/v1/guides/{unique_id}/versions", token="author").json
    assert [item["version"] for item in history["versions"]] == [2, 1]
    latest = service.get(f"/api/v1/guides/{unique_id}", token="author").json
    assert (latest["title"], latest["version"], latest["status"]) == ("New title", 2, "published")


def test_served_guide_is_the_document_plus_version_and_rendered_bodies(service, unique_id):
    guide = make_guide(unique_id, include=[f"https://{unique_id}.example/*"])
    service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    served = service.get(f"/api/v1/guides?url=https://{unique_id}.example/x", token="extension").json
    [only] = served["guides"]
    assert (only["version"], only["kind"]) == (1, "guide")
    assert only["steps"][0]["body_nodes"] == [
        {"tag": "p", "children": ["Click ", {"tag": "strong", "children": ["New"]}, "."]}]
    assert only["steps"][0]["body_html"] == "<p>Click <strong>New</strong>.</p>"
    stripped = {**only, "steps": [{k: v for k, v in step.items() if not k.startswith("body_")}
                                  for step in only["steps"]]}
    stripped.pop("version")
    stripped.pop("kind")
    assert stripped == guide


@pytest.mark.parametrize("url, expected", [
    ("https://{id}.example/reports", True),
    ("https://{id}.example/reports?tab=2#top", True),
    ("https://{id}.example/admin/users", False),   # excluded
    ("https://other.example/reports", False),      # not included
    ("http://{id}.example/reports", False),        # the glob's scheme is literal
])
def test_include_and_exclude_globs_choose_the_pages(service, unique_id, url, expected):
    guide = make_guide(unique_id, include=[f"https://{unique_id}.example/*"], exclude=["*/admin/*"])
    service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    query = "?url=" + url.format(id=unique_id).replace("?", "%3F").replace("#", "%23").replace("&", "%26")
    assert (unique_id in served_ids(service, query)) is expected


def test_audience_roles_choose_the_people(service, unique_id):
    site = f"https://{unique_id}.example/"
    service.put(f"/api/v1/guides/{unique_id}-mgr", make_guide(f"{unique_id}-mgr", include=[site + "*"],
                                                              roles=["manager"]), token="author")
    service.put(f"/api/v1/guides/{unique_id}-all", make_guide(f"{unique_id}-all", include=[site + "*"]),
                token="author")
    assert served_ids(service, f"?url={site}a&role=manager") == [f"{unique_id}-all", f"{unique_id}-mgr"]
    assert served_ids(service, f"?url={site}a&role=employee") == [f"{unique_id}-all"]
    assert served_ids(service, f"?url={site}a") == [f"{unique_id}-all"]


def test_without_url_every_guide_for_the_role_is_served(service, unique_id):
    service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id, roles=[unique_id]), token="author")
    assert unique_id in served_ids(service, f"?role={unique_id}")
    assert unique_id not in served_ids(service, "?role=someone-else")


def test_archive_withdraws_and_publishing_again_brings_back(service, unique_id):
    guide = make_guide(unique_id, roles=[unique_id])
    service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    archived = service.post(f"/api/v1/guides/{unique_id}/archive", token="author")
    assert (archived.status, archived.json["status"]) == (200, "archived")
    assert unique_id not in served_ids(service, f"?role={unique_id}")
    back = service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    assert (back.status, back.json["version"], back.json["created"]) == (200, 1, False)
    assert unique_id in served_ids(service, f"?role={unique_id}")


def test_etag_gives_304_until_the_catalogue_changes(service, unique_id):
    service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id, roles=[unique_id]), token="author")
    first = service.get(f"/api/v1/guides?role={unique_id}", token="extension")
    etag = first.headers["ETag"]
    same = service.get(f"/api/v1/guides?role={unique_id}", token="extension",
                       headers={"If-None-Match": etag})
    assert (same.status, same.body, same.headers["ETag"]) == (304, b"", etag)
    service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id, roles=[unique_id], title="v2"),
                token="author")
    changed = service.get(f"/api/v1/guides?role={unique_id}", token="extension",
                          headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["ETag"] != etag
    assert changed.json["guides"][0]["version"] == 2


def test_validate_reports_every_problem_and_stores_nothing(service, unique_id):
    guide = make_guide(unique_id, title=7, colour="red")
    guide["steps"][1]["target"] = {"selector": "div > div:nth-child(3)", "fallbacks": ["a >"]}
    answer = service.post("/api/v1/guides/validate", guide, token="author")
    assert answer.status == 200
    assert answer.json["valid"] is False
    assert {item["path"] for item in answer.json["errors"]} == {
        "colour", "title", "steps[1].target.fallbacks[0]"}
    assert [item["path"] for item in answer.json["warnings"]] == ["steps[1].target.selector"]
    assert "preview" not in answer.json
    assert service.get(f"/api/v1/guides/{unique_id}", token="author").status == 404


def test_validate_previews_a_valid_guide_as_it_would_be_served(service, unique_id):
    guide = make_guide(unique_id)
    guide["steps"][0]["body"] = "Click **New** <script>alert(1)</script> [docs](javascript:alert(1))"
    answer = service.post("/api/v1/guides/validate", guide, token="author")
    assert answer.status == 200
    assert answer.json["valid"] is True
    preview = answer.json["preview"]
    assert preview["id"] == unique_id
    assert preview["version"] == 0
    # the same rendering the extension gets for a published guide
    service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    served = service.get(f"/api/v1/guides?url={quote(guide['match']['include'][0].replace('*', 'x'))}",
                         token="extension").json["guides"]
    published = next(g for g in served if g["id"] == unique_id)
    assert preview["steps"] == published["steps"]
    tags, hrefs = _tags_and_hrefs(preview["steps"][0]["body_nodes"])
    assert tags == {"p", "strong"}  # the <script> is text, the javascript: link is not a link
    assert hrefs == set()


def _tags_and_hrefs(nodes):
    tags, hrefs = set(), set()
    for node in nodes:
        if isinstance(node, dict):
            tags.add(node["tag"])
            hrefs.update([node["href"]] if "href" in node else [])
            inner_tags, inner_hrefs = _tags_and_hrefs(node["children"])
            tags |= inner_tags
            hrefs |= inner_hrefs
    return tags, hrefs


def test_invalid_guide_is_422_with_every_detail(service, unique_id):
    guide = make_guide(unique_id, start="sometimes")
    guide["steps"][0]["advance"] = {"on": "input", "pattern": "(["}
    answer = service.put(f"/api/v1/guides/{unique_id}", guide, token="author")
    assert answer.status == 422
    assert answer.json["error"]["code"] == "invalid_guide"
    assert {d["path"] for d in answer.json["error"]["details"]} == {"start", "steps[0].advance.pattern"}


def test_id_in_the_path_must_equal_the_documents(service, unique_id):
    answer = service.put(f"/api/v1/guides/{unique_id}-other", make_guide(unique_id), token="author")
    assert answer.status == 422
    assert answer.json["error"]["details"][0]["path"] == "id"


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"null"])
def test_malformed_json_is_400(service, unique_id, body):
    answer = service.request("PUT", f"/api/v1/guides/{unique_id}", data=body, token="author",
                             headers={"Content-Type": "application/json"})
    assert (answer.status, answer.json["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize("hostile", [
    {"title": ["a", "list"]},
    {"steps": "not a list"},
    {"steps": [{"id": "s", "title": "t", "wait_ms": "5000"}]},
    {"match": {"include": "https://x/*"}},
    {"steps": [{"id": "s", "title": "t", "target": {"selector": "a" * 10_000}}]},
    {"title": "'; DROP TABLE guide; --"},
    {"description": "x" * 100_000},
])
def test_hostile_input_is_a_documented_4xx_and_the_service_keeps_serving(service, unique_id, hostile):
    answer = service.put(f"/api/v1/guides/{unique_id}", {**make_guide(unique_id), **hostile}, token="author")
    if "DROP" in json.dumps(hostile):
        assert answer.status == 201  # a string is a string: stored as given
        assert service.get(f"/api/v1/guides/{unique_id}", token="author").json["title"] == hostile["title"]
    else:
        assert answer.status == 422, answer.text
        assert answer.json["error"]["details"]
    assert service.get("/healthz", token=None).status == 200


def test_sql_looking_ids_in_the_path_are_not_found(service):
    for guide_id in ["x' OR '1'='1", "x%22%3B--", "a" * 3000]:
        answer = service.get(f"/api/v1/guides/{guide_id.replace(' ', '%20')}", token="author")
        assert answer.status == 404
        assert answer.json["error"]["code"] == "not_found"


def test_oversize_query_is_400_naming_the_parameter(service):
    answer = service.get("/api/v1/guides?url=https://x/&role=" + "r" * 500, token="extension")
    assert answer.status == 400
    assert answer.json["error"]["details"][0]["path"] == "role"


def test_page_url_over_the_limit_is_a_json_400_not_a_server_page(service):
    answer = service.get("/api/v1/guides?url=https://x/" + "a" * 5000, token="extension")
    assert answer.status == 400
    assert answer.json["error"]["details"][0]["path"] == "url"


def test_unknown_guide_is_404_everywhere(service, unique_id):
    assert service.get(f"/api/v1/guides/{unique_id}", token="author").status == 404
    assert service.get(f"/api/v1/guides/{unique_id}/versions", token="author").status == 404
    assert service.post(f"/api/v1/guides/{unique_id}/archive", token="author").status == 404


@pytest.mark.parametrize("method, path, allowed, refused", [
    ("GET", "/api/v1/guides", "extension", "author"),
    ("POST", "/api/v1/guides/validate", "author", "extension"),
    ("PUT", "/api/v1/guides/{id}", "author", "extension"),
    ("GET", "/api/v1/guides/{id}/versions", "author", "extension"),
    ("POST", "/api/v1/guides/{id}/archive", "author", "extension"),
])
def test_tokens_401_without_403_with_the_wrong_role(service, unique_id, method, path, allowed, refused):
    path = path.format(id=unique_id)
    body = make_guide(unique_id) if method in ("PUT", "POST") else None
    assert service.request(method, path, json_body=body, token=None).status == 401
    assert service.request(method, path, json_body=body, token="wm_bogus_token").status == 401
    wrong = service.request(method, path, json_body=body, token=refused)
    assert (wrong.status, wrong.json["error"]["code"]) == (403, "forbidden")
    assert service.request(method, path, json_body=body, token=allowed).status < 400 or \
        path.endswith(("/versions", "/archive"))  # those are 404 until published
    assert service.request(method, path, json_body=body, token="admin").status not in (401, 403)
