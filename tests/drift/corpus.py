"""The drift corpus: targets picked on a page, then resolved after the page was redesigned.

Pages: the fixture pages in tests/drift/pages/ (an admin template's navbar and
sidebar, a form, a list with look-alike row buttons, a shadow-root component
and a same-origin frame) and real pages of the demo app (e2e/site). Each
target is picked with the extension's own picker (``buildTarget``) on the
original page; then the page is loaded again, changed by one mutation of
tests/drift/mutations.js (or a combination, as a real redesign combines
them), and every target is resolved twice, in Chromium: **today's matching**
(selector, fallbacks, text) and **the new one** (the same, then healing from
``target.describe``). Each answer is right (the element picked), wrong
(another element) or missing.

Used by e2e/test_drift.py (asserts no wrong answer) and
tests/benchmarks/bench_drift.py (prints the tables and timings).
"""
import functools
import http.server
import pathlib
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ESBUILD = ROOT / "extension" / "node_modules" / ".bin" / "esbuild"

# page path (fixture pages under /drift/, demo pages under /acme/) -> [(target name, selector on the original)]
PAGES = {
    "/drift/admin.html": [
        ("sidebar-toggle", "[data-lte-toggle=sidebar]"),
        ("home-link", "a[href='/admin/']"),
        ("navbar-search", "[data-widget=navbar-search]"),
        ("messages", "a[title=Messages]"),
        ("notifications", "a:has(> .bi-bell-fill)"),
        ("fullscreen", "[data-lte-toggle=fullscreen]"),
        ("user-menu", ".user-menu > a"),
        ("dashboard-link", "a[href='/admin/dashboard']"),
        ("layout-options", ".sidebar-menu > li:nth-child(3) > a"),
        ("card-collapse", "[data-lte-toggle=card-collapse]"),
    ],
    "/drift/form.html": [
        ("merchant", "#merchant"),
        ("date", "#spent-on"),
        ("total", "#total"),
        ("category", "#kind"),
        ("billable", "input[name=billable]"),
        ("memo", "#memo"),
        ("cancel", "#cancel"),
        ("attach", "[data-action=attach-receipt]"),
        ("save", "button[type=submit]"),
    ],
    "/drift/list.html": [
        ("tab-paid", "[aria-controls=panel-paid]"),
        ("search", "input[type=search]"),
        ("owner-filter", "select"),
        ("export", "button[title='Export as CSV']"),
        ("new-report", "[data-testid=create-report]"),
        ("next-page", "a[rel=next]"),
    ],
    "/drift/components.html": [
        ("approve", "button.approve"),
        ("reject", "button.reject"),
        ("upload", "[data-testid=upload]"),
        ("receipt-file", "input[type=file]"),
    ],
    "/acme/reports": [
        ("search-reports", "input[name=q]"),
        ("export-link", "#export"),
        ("new-report-link", "#new-report"),
        ("settings-nav", "nav a[href='/acme/settings']"),
    ],
    "/acme/reports/new": [
        ("title", "#title"),
        ("amount", "#amount"),
        ("report-category", "#category"),
        ("notes", "#notes"),
        ("review", "#review-link"),
        ("save-draft", "#save-draft"),
        ("submit", "#submit-report"),
    ],
    "/acme/settings": [
        ("iban", "#iban"),
        ("currency", "#currency"),
        ("notify-email", "#notify-email"),
        ("weekly", "#notify-weekly"),
        ("save-settings", "#save-settings"),
    ],
}


@functools.cache
def page_script():
    """entry.js and what it imports, bundled as one classic script."""
    bundled = subprocess.run([str(ESBUILD), str(HERE / "entry.js"), "--bundle", "--format=iife",
                              "--target=chrome116", "--log-level=warning"],
                             check=True, capture_output=True, text=True, timeout=120)
    return bundled.stdout + "\n" + (HERE / "mutations.js").read_text()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Fixtures(_Quiet):
    """/drift/x.html -> tests/drift/pages/x.html."""

    def translate_path(self, path):
        return super().translate_path(path.removeprefix("/drift"))


def serve_fixtures():
    """The fixture pages on a loopback port, under /drift/ (no CSP: the component page has a script)."""
    handler = functools.partial(_Fixtures, directory=str(HERE / "pages"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Answer:
    page: str
    mutation: str
    target: str
    old: str
    new: str
    matched_by: str
    score: float
    candidates: list
    ms: float
    diagnosis: dict  # where the selectors failed: {"right": score of the element, "other": best other's}


def open_page(context, url):
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.add_script_tag(content=page_script())
    return page


def resolve_page(context, url, specs, mutation):
    """Pick on the original, apply ``mutation`` (None: the original), resolve: {target: answer dict}."""
    page = open_page(context, url)
    try:
        targets = page.evaluate("specs => waymarkDrift.pick(specs)", specs)
        if mutation:
            page.evaluate("name => driftMutations.apply(name)", mutation)
        return page.evaluate("targets => waymarkDrift.resolve(targets)", targets), targets
    finally:
        page.close()


def mutation_names(context, url):
    page = open_page(context, url)
    try:
        return page.evaluate("() => driftMutations.names")
    finally:
        page.close()


def run(context, fixtures_base, demo_base, pages=PAGES):
    """Every page × (original + every mutation): a list of Answer."""
    answers = []
    first_url = None
    for path, specs in pages.items():
        url = (fixtures_base if path.startswith("/drift/") else demo_base) + path
        first_url = first_url or url
        for mutation in [None, *mutation_names(context, first_url)]:
            resolved, _ = resolve_page(context, url, specs, mutation)
            for name, found in resolved.items():
                answers.append(Answer(path, mutation or "original", name, found["old"], found["new"],
                                      found["matched_by"], found["score"], found["candidates"], found["ms"],
                                      found["diagnosis"]))
    return answers


def table(answers, which):
    """{mutation: Counter(right/wrong/missing)} for today's matching (``old``) or the new one."""
    rows = {}
    for answer in answers:
        rows.setdefault(answer.mutation, Counter())[getattr(answer, which)] += 1
    return rows


def format_margins(answers):
    """Where the selectors failed: how the right element's score and lead compare with the
    threshold and margin heal.js uses (the measurement behind them)."""
    cases = [a.diagnosis for a in answers if a.diagnosis and a.diagnosis["right"] is not None]
    if not cases:
        return "no case reached healing"
    rights = sorted(c["right"] for c in cases)
    leads = sorted(c["right"] - c["other"] for c in cases)
    others = sorted(c["other"] for c in cases if c["right"] - c["other"] < 0.12)
    return (f"{len(cases)} resolutions reached healing: right element's score min {rights[0]:.3f}, "
            f"p10 {rights[len(rights) // 10]:.3f}, median {rights[len(rights) // 2]:.3f}; its lead over the "
            f"best other visible element min {leads[0]:.3f}, p10 {leads[len(leads) // 10]:.3f}, median "
            f"{leads[len(leads) // 2]:.3f}; {sum(lead < 0 for lead in leads)} where another scored higher, "
            f"{len(others)} within 0.12 (refused: missing, not wrong)")


def format_tables(answers):
    old, new = table(answers, "old"), table(answers, "new")
    lines = [f"{'mutation':<22} {'today: right wrong missing':>28}   {'new: right wrong missing':>26}"]
    totals = {"old": Counter(), "new": Counter()}
    for mutation in old:
        totals["old"].update(old[mutation])
        totals["new"].update(new[mutation])
        lines.append(f"{mutation:<22} {old[mutation]['right']:>13} {old[mutation]['wrong']:>5} "
                     f"{old[mutation]['missing']:>7}   {new[mutation]['right']:>11} "
                     f"{new[mutation]['wrong']:>5} {new[mutation]['missing']:>7}")
    count = len(answers)
    for which, label in (("old", "today"), ("new", "new")):
        t = totals[which]
        lines.append(f"{label:>5}: {t['right']}/{count} right ({100 * t['right'] / count:.1f}%), "
                     f"{t['wrong']} wrong, {t['missing']} missing")
    return "\n".join(lines)
