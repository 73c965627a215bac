"""The OpenAPI document: served without a token, every endpoint in it, every reference resolved."""
import re


def refs_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_in(item)


def test_served_without_a_token(service):
    answer = service.get("/api/v1/openapi.json", token=None)
    assert answer.status == 200
    assert answer.json["openapi"].startswith("3.")
    assert answer.json["info"]["title"] == "Waymark"


def test_every_api_route_of_the_app_is_documented(app, service):
    document = service.get("/api/v1/openapi.json", token=None).json
    documented = {(path, method.upper()) for path, operations in document["paths"].items()
                  for method in operations}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1/") or rule.rule in ("/healthz", "/readyz")):
            continue
        if rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is missing from the OpenAPI document"


def test_every_reference_resolves(service):
    document = service.get("/api/v1/openapi.json", token=None).json
    schemas = document["components"]["schemas"]
    for ref in set(refs_in(document)):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def test_guide_schema_in_the_document_matches_the_format(service):
    document = service.get("/api/v1/openapi.json", token=None).json
    guide = document["components"]["schemas"]["Guide"]
    assert set(guide["required"]) == {"id", "title", "match", "steps"}
    assert guide["additionalProperties"] is False
    step = document["components"]["schemas"]["Step"]
    assert "target" in step["properties"] and step["properties"]["wait_ms"]["maximum"] == 120000


def test_operations_name_their_token_and_errors(service):
    document = service.get("/api/v1/openapi.json", token=None).json
    put = document["paths"]["/api/v1/guides/{guide_id}"]["put"]
    assert put["security"] == [{"bearerAuth": []}]
    assert {"201", "200", "401", "403", "422"} <= set(put["responses"])
    assert "security" not in document["paths"]["/healthz"]["get"]
