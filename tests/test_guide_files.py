"""``waymark guides validate|publish|export`` as a person runs them, on both stores."""
import json
from pathlib import Path

from tests.harness import run_cli, start_service, stop_service


def guide(guide_id, title="A guide", **extra):
    return {"id": guide_id, "title": title, "match": {"include": ["https://app.example.com/*"]},
            "steps": [{"id": "one", "title": "One", "body": "Hello."}], **extra}


def write(folder, name, document):
    path = folder / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_validate_prints_every_error_and_warning_with_file_and_path(database_url, tmp_path, unique_id):
    broken = guide(unique_id, title="", start="sometimes")
    broken["steps"][0]["target"] = {"selector": "div > div:nth-child(3)"}
    path = write(tmp_path, "broken.json", broken)
    result = run_cli(database_url, "guides", "validate", str(path), check=False)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{path}: start: must be one of: auto, manual" in lines
    assert f"{path}: title: must be 1 to 200 characters long" in lines
    assert any(line.startswith(f"{path}: steps[0].target.selector: warning: ") for line in lines)


def test_validate_passes_with_only_warnings(database_url, tmp_path, unique_id):
    document = guide(unique_id)
    document["steps"][0]["target"] = {"selector": ".css-1x2y3z"}
    write(tmp_path, "a.json", document)
    result = run_cli(database_url, "guides", "validate", str(tmp_path), check=False)
    assert result.returncode == 0
    assert "warning: 'css-1x2y3z' looks generated" in result.stdout


def test_validate_names_unreadable_files_and_duplicate_ids(database_url, tmp_path, unique_id):
    bad = write(tmp_path, "a-bad.json", '{"id": "x",')
    write(tmp_path, "b.json", guide(unique_id))
    duplicate = write(tmp_path, "c.json", guide(unique_id))
    result = run_cli(database_url, "guides", "validate", str(tmp_path), str(tmp_path / "nope.json"),
                     check=False)
    assert result.returncode == 1
    assert f"{bad}: $: is not valid JSON: Expecting property name enclosed in double quotes " \
           "at line 1 column 12" in result.stdout
    assert f"{duplicate}: id: guide id '{unique_id}' is also used by" in result.stdout
    assert f"{tmp_path / 'nope.json'}: $: no such file or folder" in result.stdout


def test_the_repository_examples_validate(database_url):
    result = run_cli(database_url, "guides", "validate", "guides", check=False)
    assert result.returncode == 0, result.stdout


def test_publish_then_republish_unchanged_then_changed(database_url, tmp_path, unique_id):
    path = write(tmp_path, "g.json", guide(unique_id))
    first = run_cli(database_url, "guides", "publish", str(path))
    assert f"{path}: published {unique_id} version 1" in first.stdout
    again = run_cli(database_url, "guides", "publish", str(path))
    assert f"{path}: unchanged {unique_id} version 1" in again.stdout
    write(tmp_path, "g.json", guide(unique_id, title="Renamed"))
    changed = run_cli(database_url, "guides", "publish", str(path))
    assert f"{path}: published {unique_id} version 2" in changed.stdout


def test_publish_publishes_nothing_when_any_file_is_invalid(database_url, tmp_path, unique_id):
    write(tmp_path, "good.json", guide(f"{unique_id}-good"))
    write(tmp_path, "bad.json", guide(f"{unique_id}-bad", frequency="hourly"))
    result = run_cli(database_url, "guides", "publish", str(tmp_path), check=False)
    assert result.returncode == 1
    assert "nothing published: 1 error(s)" in result.stdout
    out = tmp_path / "export"
    run_cli(database_url, "guides", "export", str(out))
    assert not (out / f"{unique_id}-good.json").exists()


def test_export_writes_the_latest_version_of_each_guide(database_url, tmp_path, unique_id):
    source = tmp_path / "src"
    source.mkdir()
    write(source, "g.json", guide(unique_id, title="First"))
    run_cli(database_url, "guides", "publish", str(source))
    latest = guide(unique_id, title="Second", description="Ünïcode kept")
    write(source, "g.json", latest)
    run_cli(database_url, "guides", "publish", str(source))
    out = tmp_path / "out"
    result = run_cli(database_url, "guides", "export", str(out))
    assert f"{unique_id} version 2" in result.stdout
    assert json.loads((out / f"{unique_id}.json").read_text(encoding="utf-8")) == latest
    # What export writes publishes back as unchanged: a round trip makes no version.
    back = run_cli(database_url, "guides", "publish", str(out / f"{unique_id}.json"))
    assert f"unchanged {unique_id} version 2" in back.stdout


def test_serve_with_guides_publishes_the_folder(database_url, tmp_path, unique_id):
    write(tmp_path, "g.json", guide(unique_id, audience={"roles": [unique_id]}))
    service = start_service(database_url, extra_args=("--guides", str(tmp_path)))
    try:
        served = service.get(f"/api/v1/guides?role={unique_id}", token="extension").json
        assert [g["version"] for g in served["guides"] if g["id"] == unique_id] == [1]
        # The next start publishes the same folder through the same function: nothing changes.
        again = run_cli(database_url, "guides", "publish", str(tmp_path))
        assert f"unchanged {unique_id} version 1" in again.stdout
        history = service.get(f"/api/v1/guides/{unique_id}/versions", token="author").json
        assert [item["version"] for item in history["versions"]] == [1]
    finally:
        stop_service(service)


def test_documents_of_every_kind_validate_and_a_nudge_may_start_a_guide_among_the_files(
        database_url, tmp_path, unique_id):
    from tests.test_schemas_kinds import NUDGE, TIPS
    nudge = {**NUDGE, "id": f"{unique_id}-nudge", "schedule": {"from": "2026-01-01T00:00:00Z"}}
    nudge["nudge"] = {**NUDGE["nudge"], "actions": [{"label": "Show me", "start": unique_id},
                                                     {"label": "Other", "start": f"{unique_id}-missing"}]}
    write(tmp_path, "guide.json", guide(unique_id))
    write(tmp_path, "nudge.json", nudge)
    tips = write(tmp_path, "tips.json", {**TIPS, "id": f"{unique_id}-tips", "tips": [
        {**TIPS["tips"][0], "validate": {"pattern": "(?i)^x", "message": "x"}}]})
    result = run_cli(database_url, "guides", "validate", str(tmp_path), check=False)
    assert result.returncode == 0, result.stdout
    warnings = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert [line.split(": warning:")[0] for line in warnings] == [
        f"{tmp_path / 'nudge.json'}: nudge.actions[1].start", f"{tips}: tips[0].validate.pattern"]
    assert "3 valid guide file(s), 0 error(s)" in result.stdout


def test_the_repository_examples_validate_without_warnings(database_url):
    result = run_cli(database_url, "guides", "validate", str(Path(__file__).resolve().parent.parent / "guides"))
    # (The nudge's schedule ends one day; that warning is the calendar's, not the example's.)
    warnings = [line for line in result.stdout.splitlines() if " warning: " in line and "schedule.until" not in line]
    assert result.returncode == 0 and warnings == [], result.stdout
