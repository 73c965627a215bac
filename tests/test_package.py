"""The installable package on its own: complete without npm, no Playwright, no repository around it.

- the committed charts bundle (package data) is what a fresh build makes;
- every module of ``waymark`` imports with Playwright blocked, and none of
  them names the repository's other folders (the demo, the e2e suite);
- a wheel built from the clone, installed in a fresh venv in a temp folder,
  runs ``waymark serve`` there and serves the dashboard with its charts.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.harness import Service, free_port, stop_service, wait_until_healthy
from tests.test_dashboard import REPORT_FILTERS, Visitor, publish
from tests.test_reports import stream

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backend" / "waymark"
CHARTS = PACKAGE / "dashboard" / "static" / "charts.js"

# Run by a Python that has the package: import every module with ``playwright``
# (and the clone's own folders) unimportable, print what failed.
IMPORT_EVERY_MODULE = r"""
import importlib, importlib.abc, pkgutil, sys

BLOCKED = ("playwright", "demo", "e2e", "tests")

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: the package must not import it")
        return None

sys.meta_path.insert(0, Block())
import waymark
failed = []
names = [info.name for info in pkgutil.walk_packages(waymark.__path__, "waymark.")
         if info.name != "waymark.__main__"]  # that one runs the command
for name in names:
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {error!r}")
print(waymark.__file__)
print(len(names), "modules")
print("\n".join(failed) or "all imported")
"""


def test_the_committed_charts_bundle_is_a_fresh_build(tmp_path):
    """The bundle is package data (a wheel needs no npm): tracked, and what the sources build."""
    if (ROOT / ".git").exists() and shutil.which("git"):  # not in an unpacked source archive
        tracked = subprocess.run(["git", "ls-files", str(CHARTS.relative_to(ROOT))], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout.strip()
        assert tracked == "backend/waymark/dashboard/static/charts.js", "the charts bundle must be committed"
    if not (ROOT / "extension" / "node_modules").exists():
        pytest.fail("extension/node_modules is missing: run 'make setup' (the build tools come from npm)")
    fresh = tmp_path / "charts.js"
    subprocess.run(["node", str(ROOT / "extension" / "build.mjs"), f"--charts-to={fresh}"],
                   check=True, capture_output=True, timeout=120)
    assert fresh.read_bytes() == CHARTS.read_bytes(), (
        "backend/waymark/dashboard/static/charts.js is stale: run 'npm --prefix extension run build' "
        "and commit it")


def test_every_module_imports_without_playwright():
    result = subprocess.run([sys.executable, "-c", IMPORT_EVERY_MODULE], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)  # the clone on the path: the block is what stops it
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("all imported"), result.stdout


def test_the_package_never_names_the_clones_other_folders():
    """No path into the demo or the e2e suite, and no climbing out of the package to find files."""
    problems = []
    for path in PACKAGE.rglob("*"):
        if not path.is_file() or path.suffix not in (".py", ".html", ".json", ".css") or path == CHARTS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(e2e|demo)/|\bimport (demo|e2e)\b|from (demo|e2e)\b|parents\[[1-9]", line):
                problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not problems, "\n".join(problems)


def test_the_demo_uses_the_package_and_never_the_test_suites():
    """The e2e suite may use the demo app; the demo never imports the e2e suite or the tests."""
    problems = [f"{path.relative_to(ROOT)}: {line.strip()}"
                for path in (ROOT / "demo").rglob("*.py")
                for line in path.read_text(encoding="utf-8").splitlines()
                if re.match(r"\s*(from|import) (e2e|tests)\b", line)]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv (no repository on its path) with the wheel built from this clone installed."""
    base = tmp_path_factory.mktemp("package")
    # Built from a copy: setuptools builds in the source tree, and a build/ left
    # there by an older build would slip its stale modules into the wheel.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", "artifacts",
        ".waymark-demo", "*.db"))
    wheels = base / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
                    str(source)], check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("waymark-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                    str(wheel)], check=True, capture_output=True, timeout=300, env=_outside_env(venv))
    return wheel, venv


def _outside_env(venv):
    """The environment of a shell in the venv, with nothing pointing back at the clone."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not key.startswith("WAYMARK_")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.package
def test_the_wheel_holds_the_dashboard_and_not_the_demo(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "waymark/dashboard/static/charts.js" in names
    assert zipfile.ZipFile(wheel).read("waymark/dashboard/static/charts.js") == CHARTS.read_bytes()
    assert not [name for name in names if re.match(r"(demo|e2e|tests)/|waymark/(seed|demo)", name)], names


@pytest.mark.package
def test_the_installed_package_imports_every_module_without_playwright(installed, tmp_path):
    _, venv = installed
    result = subprocess.run([str(venv / "bin" / "python"), "-c", IMPORT_EVERY_MODULE], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path, env=_outside_env(venv))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(venv)), result.stdout  # the installed copy, not the clone
    assert result.stdout.rstrip().endswith("all imported"), result.stdout


@pytest.mark.package
def test_the_installed_package_serves_the_dashboard_with_its_charts(installed, tmp_path, unique_id):
    _, venv = installed
    env = dict(_outside_env(venv), WAYMARK_DATABASE_URL=f"sqlite:///{tmp_path / 'waymark.db'}")
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(venv / "bin" / "waymark"), "serve", "--port", str(port)],
                                   cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    service = Service(f"http://127.0.0.1:{port}", env["WAYMARK_DATABASE_URL"], process, log_path=str(log_path))
    try:
        wait_until_healthy(service.base_url, process, log_path=str(log_path))
        for role in ("extension", "author", "admin"):
            service.tokens[role] = subprocess.run(
                [str(venv / "bin" / "waymark"), "token", "create", "--role", role, "--quiet"],
                cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
        publish(service, unique_id)
        answer = service.post("/api/v1/events", {"events": stream(guide_id=unique_id)}, token="extension")
        assert answer.status == 200, answer.text  # the report page draws charts only with runs
        admin = Visitor(service)
        status, _, _ = admin.sign_in(service.tokens["admin"])
        assert status == 303
        status, _, page = admin.get(f"/dashboard/guides/{unique_id}?{REPORT_FILTERS}")
        assert status == 200, page
        assert 'id="chart-funnel-data"' in page
        src = re.search(r'<script src="([^"]*charts\.js)"', page).group(1)
        status, headers, script = admin.get(src)
        assert status == 200 and headers["Content-Type"].startswith(("text/javascript", "application/javascript"))
        # Chart.js and the page's own drawing code (its plugin id), not an empty or stub file.
        assert len(script) > 10_000 and "waymarkValueLabels" in script and "canvas[data-chart]" in script
    finally:
        stop_service(service)
