"""The demo's set-up pieces: building the extension, finding Chromium, the roles it seeds."""
import os
import pathlib
import shutil
import subprocess
import sys

from demo import runner as demo, seed
from demo.browser import chromium_path, display_available
from waymark import config

EXTENSION = demo.repo_path("extension")


def _extension_copy_without_dist(tmp_path):
    """The extension's sources in a temp copy of the repository's layout, build tools linked, no dist/.

    The build also bundles the dashboard's charts (extension/build.mjs), so
    their source comes along and their output lands in the copy too.
    """
    copy = tmp_path / "extension"
    shutil.copytree(EXTENSION, copy, ignore=shutil.ignore_patterns("dist", "node_modules"))
    os.symlink(EXTENSION / "node_modules", copy / "node_modules")
    charts = pathlib.Path("backend", "waymark", "dashboard", "static_src")
    shutil.copytree(demo.repo_path(charts), tmp_path / charts)
    return copy


def test_a_missing_extension_build_is_made_with_progress(tmp_path, capsys):
    copy = _extension_copy_without_dist(tmp_path)
    assert demo.ensure_extension_built(copy) is True
    manifest = copy / "dist" / "manifest.json"
    assert manifest.read_text() == (EXTENSION / "static" / "manifest.json").read_text()
    for built in ("background.js", "loader.js", "overlay.js", "options.html", "popup.html"):
        assert (copy / "dist" / built).stat().st_size > 0
    out = capsys.readouterr().out
    assert "Building the extension (npm run build)" in out and f"built in {copy / 'dist'}" in out

    assert demo.ensure_extension_built(copy) is True  # the second time nothing is rebuilt
    assert "already built" in capsys.readouterr().out


def test_without_npm_the_demo_says_what_to_install(tmp_path, capsys, monkeypatch):
    copy = _extension_copy_without_dist(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert demo.ensure_extension_built(copy) is False
    assert "npm is not installed" in capsys.readouterr().out
    assert not (copy / "dist").exists()


def test_chromium_is_the_configured_one_else_debians(tmp_path):
    assert chromium_path({"WAYMARK_CHROMIUM": "/opt/chrome/chrome"}) == "/opt/chrome/chrome"
    found = chromium_path({})
    assert found is None or os.path.exists(found)


def test_a_display_is_x11_or_wayland():
    assert display_available({"DISPLAY": ":0"})
    assert display_available({"WAYLAND_DISPLAY": "wayland-0"})
    assert not display_available({})


def test_seeded_roles_cover_every_audience():
    versions = [seed.GuideVersion("a", 1, {"audience": {"roles": ["finance", "manager"]}, "steps": []}),
                seed.GuideVersion("b", 1, {"steps": []})]
    assert demo.roles_of(versions) == ("employee", "finance", "manager")
    assert demo.roles_of([versions[1]]) == seed.ROLES


def test_the_demo_is_found_in_the_working_folder_or_where_the_setting_says(tmp_path):
    assert config.demo_directory({}, cwd=tmp_path) == tmp_path / "demo"
    assert config.demo_directory({"WAYMARK_DEMO_DIR": "/src/waymark/demo"}, cwd=tmp_path) == \
        pathlib.Path("/src/waymark/demo")


def test_without_a_clone_waymark_demo_says_what_to_do(tmp_path):
    """The demo is not in the installed package: away from a clone the command says so, and how to fix it."""
    env = {key: value for key, value in os.environ.items() if key != "WAYMARK_DEMO_DIR"}
    result = subprocess.run([sys.executable, "-m", "waymark", "demo", "--no-browser"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    message = result.stderr
    assert f"{tmp_path / 'demo' / 'run.py'} not found" in message
    assert "make demo" in message and "WAYMARK_DEMO_DIR" in message and "Traceback" not in message
