"""The drift corpus's tables (today's matching vs healing) and what healing costs, in Chromium.

Prints, asserts nothing (e2e/test_drift.py asserts):

1. for each mutation of tests/drift/mutations.js, how many targets picked on
   the original page today's matching and the new one find right, wrong or
   not at all (tests/drift/corpus.py);
2. time to resolve a target by healing on a page of ~5,000 elements (its
   selector broken by a redesign), p50 / p95 over TRIALS;
3. the cost when the selector works: findTarget on the same page with the
   target's descriptions and without them (p50 / p95), which must be the same.

    .venv/bin/python tests/benchmarks/bench_drift.py [TRIALS]
"""
import pathlib
import statistics
import sys
import threading

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "e2e" / "site"))
from e2e.conftest import chromium_path  # noqa: E402
from server import make_server  # noqa: E402
from tests.drift import corpus  # noqa: E402

# A page of ~5,000 elements: 600 rows of a table, each with look-alike buttons,
# and the target in a toolbar; then a redesign that breaks its selector.
BIG_PAGE = """() => {
    const main = document.createElement('main');
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    toolbar.innerHTML = '<button class="btn" title="Export as CSV">Export</button>' +
        '<button class="btn btn-primary" id="new-report" data-action="new-report">New report</button>';
    main.append(toolbar);
    const table = document.createElement('table');
    const rows = [];
    for (let i = 0; i < 600; i += 1) {
        rows.push(`<tr><td>Report ${i}</td><td>€ ${i}.00</td><td><span class="badge">Open</span></td>` +
            `<td><button class="btn btn-sm">Edit</button> <button class="btn btn-sm btn-danger">Delete</button></td></tr>`);
    }
    table.innerHTML = '<tbody>' + rows.join('') + '</tbody>';
    main.append(table);
    document.body.append(main);
    return document.querySelectorAll('*').length;
}"""

TIMINGS = """(trials) => {
    const target = waymarkDrift.pick([['new', '#new-report']]).new;
    const plain = {...target};
    delete plain.describe;
    const time = (t, how) => {
        const times = [];
        waymarkDrift.findTarget(document, t);  // warm
        for (let i = 0; i < trials; i += 1) {
            const started = performance.now();
            const found = waymarkDrift.findTarget(document, t);
            times.push(performance.now() - started);
            if (!found.element || (how === 'healed') !== Boolean(found.healed)) return null;
        }
        return times;
    };
    // Interleaved, so that the machine's noise falls on both alike.
    const working = {described: [], plain: []};
    for (let i = 0; i < trials; i += 1) {
        for (const [name, t] of (i % 2 ? [['described', target], ['plain', plain]] : [['plain', plain], ['described', target]])) {
            const started = performance.now();
            waymarkDrift.findTarget(document, t);
            working[name].push(performance.now() - started);
        }
    }
    // The redesign: classes hashed, and the id and behaviour the selectors used are gone.
    driftMutations.apply('classes_hashed');
    const button = waymarkDrift.find('[data-action=new-report]');
    button.removeAttribute('id');
    button.removeAttribute('data-action');
    return {...working, healing: time(target, 'healed'), target: JSON.stringify({...target, describe: undefined})};
}"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def figures(values):
    return f"p50 {statistics.median(values):.2f} ms, p95 {percentile(values, 0.95):.2f} ms"


def main(trials=50):
    demo = make_server("127.0.0.1", 0)
    threading.Thread(target=demo.serve_forever, daemon=True).start()
    fixtures = corpus.serve_fixtures()
    demo_base = demo.url.removesuffix("/acme/")
    fixtures_base = f"http://127.0.0.1:{fixtures.server_address[1]}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        context = browser.new_context(bypass_csp=True)
        answers = corpus.run(context, fixtures_base, demo_base)
        print(f"Drift corpus: {len(corpus.PAGES)} pages, "
              f"{sum(len(s) for s in corpus.PAGES.values())} targets, {len(answers)} resolutions")
        print(corpus.format_tables(answers))
        print(corpus.format_margins(answers))
        healed = [a for a in answers if a.matched_by == "healed"]
        if healed:
            scores = [a.score for a in healed]
            print(f"healed: {len(healed)}, scores min {min(scores):.3f} p50 {statistics.median(scores):.3f}")
        for answer in answers:
            if answer.new != "right" and answer.mutation != "original":
                print(f"  new {answer.new}: {answer.page} {answer.mutation} {answer.target} "
                      f"candidates={answer.candidates}")

        page = corpus.open_page(context, fixtures_base + "/drift/form.html")
        count = page.evaluate(BIG_PAGE)
        timings = page.evaluate(TIMINGS, trials)
        page.close()
        print(f"\nPage of {count} elements, target {timings['target']} (+ describe), {trials} trials each:")
        print(f"  selector works, with describe:    {figures(timings['described'])}")
        print(f"  selector works, without describe: {figures(timings['plain'])}")
        if timings["healing"] is None:
            print("  healing after the redesign: NOT FOUND")
        else:
            print(f"  healing after the redesign:       {figures(timings['healing'])}")
        browser.close()
    demo.shutdown()
    fixtures.shutdown()


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:]))
