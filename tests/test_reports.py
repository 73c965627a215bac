"""Reports from a known event stream: exact numbers on both stores, whatever the delivery order."""
import csv
import io
import json
import random
from datetime import date, datetime

import pytest

from tests.folded import ingest_batch
from waymark.models import Guide, GuideVersion
from waymark.reports.export import csv_filename, report_csv
from waymark.reports.guides import guide_known, guide_report, percentile
from waymark.reports.summaries import guide_summaries
from waymark.reports.targets import broken_targets

NOW = datetime(2026, 11, 22, 12, 0, 0)
PAGE = "https://expenses.example.com/reports"


def stream(guide_id="expense", prefix=""):
    """Six runs of guide "expense" v1 (steps 0-3) on 2026-11-22, one of v2 the day before."""
    events, counter = [], iter(range(10_000))

    def add(run, kind, at, index=None, role="employee", version=1, day=22, **extra):
        event = {"id": f"{prefix}{run}-{next(counter)}", "type": kind, "guide_id": guide_id,
                 "guide_version": version, "run_id": prefix + run, "user": f"user-{run}", "role": role,
                 "url": f"{PAGE}/{index}?session=abc", "at": f"2026-11-{day}T{at}Z", **extra}
        if index is not None:
            event.update(step_index=index, step_id=f"step-{index}")
        events.append(event)

    def steps(run, minute, durations, role="employee"):
        for index, duration in enumerate(durations):
            add(run, "step_shown", f"10:{minute:02d}:{index * 10:02d}", index, role)
            add(run, "step_completed", f"10:{minute:02d}:{index * 10 + 5:02d}", index, role,
                duration_ms=duration)

    # A: completed every step.
    add("A", "guide_started", "10:00:00", role="sales")
    steps("A", 1, [3000, 10000, 4000, 2000], role="sales")
    add("A", "guide_completed", "10:01:40", 3, role="sales")
    # B: dismissed at step 2 (escape).
    add("B", "guide_started", "10:00:00", role="sales")
    steps("B", 2, [5000, 20000], role="sales")
    add("B", "step_shown", "10:02:30", 2, role="sales")
    add("B", "guide_dismissed", "10:02:40", 2, role="sales", reason="escape")
    # C: abandoned at step 3 (last event 10:03:30, long before NOW - 30 min).
    add("C", "guide_started", "10:00:00")
    steps("C", 3, [7000, 6000, 8000])
    add("C", "step_shown", "10:03:30", 3)
    # D: broken at step 1: the target never appeared.
    add("D", "guide_started", "10:00:00")
    steps("D", 4, [1000])
    add("D", "target_missing", "10:04:20", 1, wait_ms=5000,
        selectors=[{"selector": "#amount", "matches": 0}])
    # E: in progress (last event 11:50, within the window).
    add("E", "guide_started", "11:49:00")
    add("E", "step_shown", "11:50:00", 0)
    # F: a slow page at step 0 (miss, then shown: recovered), then completed.
    #    Step 0 reports no duration: shown 10:05:10 → completed 10:05:12 = 2000 ms.
    add("F", "guide_started", "10:05:00")
    add("F", "target_missing", "10:05:05", 0, wait_ms=5000, selectors=[{"selector": "#new", "matches": 0}])
    add("F", "step_shown", "10:05:10", 0)
    add("F", "step_completed", "10:05:12", 0)
    for index, duration in ((1, 4000), (2, 3000), (3, 1000)):
        add("F", "step_shown", f"10:06:{index * 10:02d}", index)
        add("F", "step_completed", f"10:06:{index * 10 + 5:02d}", index, duration_ms=duration)
    add("F", "guide_completed", "10:06:40", 3)
    # G: version 2, the day before, abandoned at step 0.
    add("G", "guide_started", "09:00:00", version=2, day=21)
    add("G", "step_shown", "09:00:01", 0, version=2, day=21)
    return events


EXPECTED_V1_STEPS = [
    # index, reached, completed, dismissed, abandoned, broken, p50, p90
    (0, 6, 5, 0, 0, 0, 3000, 7000),
    (1, 5, 4, 0, 0, 1, 6000, 20000),
    (2, 4, 3, 1, 0, 0, 4000, 8000),
    (3, 3, 2, 0, 1, 0, 1000, 2000),
]


def deliver(events, seed):
    """Out of order, in uneven batches, with every third event resent."""
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    shuffled += shuffled[::3]
    position, rng = 0, random.Random(seed + 1)
    while position < len(shuffled):
        size = rng.randint(1, 17)
        ingest_batch(shuffled[position:position + size])
        position += size


def publish(version, titles):
    guide, _ = Guide.get_or_create(id="expense", defaults={"latest_version": version})
    steps = [{"id": f"step-{i}", "title": title} for i, title in enumerate(titles)]
    GuideVersion.create(guide=guide, version=version, document=json.dumps({"id": "expense", "steps": steps}))


def step_figures(report):
    return [(s["index"], s["reached"], s["completed"], s["dropped"]["dismissed"], s["dropped"]["abandoned"],
             s["dropped"]["broken"], s["time_ms"]["p50"], s["time_ms"]["p90"]) for s in report["steps"]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_report_from_a_known_stream(database, seed):
    deliver(stream(), seed)
    report = guide_report("expense", version=1, now=NOW)
    assert {k: report[k] for k in ("runs", "completed", "dismissed", "abandoned", "broken", "in_progress")} == \
        {"runs": 6, "completed": 2, "dismissed": 1, "abandoned": 1, "broken": 1, "in_progress": 1}
    assert report["completion_rate"] == round(2 / 6, 4)
    assert step_figures(report) == EXPECTED_V1_STEPS
    assert report["steps"][1]["drop_rate"] == 0.2
    assert report["trend"] == [{"date": "2026-11-22", "started": 6, "completed": 2}]
    # Most missed first; equal counts: the latest first.
    assert report["missing_targets"] == [
        {"step_id": "step-0", "index": 0, "count": 1, "urls": [f"{PAGE}/0"], "last_seen": "2026-11-22T10:05:05.000Z"},
        {"step_id": "step-1", "index": 1, "count": 1, "urls": [f"{PAGE}/1"], "last_seen": "2026-11-22T10:04:20.000Z"},
    ]


def test_the_window_decides_abandonment(database):
    deliver(stream(), 0)
    early = guide_report("expense", version=1, now=datetime(2026, 11, 22, 10, 20))
    # At 10:20, C (last event 10:03:30) is still within 30 minutes: in progress, like E.
    assert (early["abandoned"], early["in_progress"], early["runs"]) == (0, 2, 6)


def test_filters(database):
    deliver(stream(), 0)
    everything = guide_report("expense", now=NOW)
    assert (everything["runs"], everything["abandoned"]) == (7, 2)
    assert everything["trend"] == [{"date": "2026-11-21", "started": 1, "completed": 0},
                                   {"date": "2026-11-22", "started": 6, "completed": 2}]
    assert guide_report("expense", date_from=date(2026, 11, 22), now=NOW)["runs"] == 6
    assert guide_report("expense", date_to=date(2026, 11, 21), now=NOW)["runs"] == 1
    sales = guide_report("expense", role="sales", now=NOW)
    assert (sales["runs"], sales["completed"], sales["dismissed"]) == (2, 1, 1)
    # URL: a prefix, or a glob with *; stored URLs have no query string.
    assert guide_report("expense", url=f"{PAGE}/3", now=NOW)["runs"] == 3
    assert guide_report("expense", url="*/reports/1", now=NOW)["runs"] == 5
    assert guide_report("expense", url="https://other.example.com", now=NOW)["runs"] == 0
    assert guide_report("expense", url="%", now=NOW)["runs"] == 0  # LIKE wildcards are literal


def test_titles_come_from_the_published_version(database):
    publish(1, ["Start", "Amount", "Receipt", "Submit", "Never reached"])
    deliver(stream(), 0)
    report = guide_report("expense", version=1, now=NOW)
    assert [s["title"] for s in report["steps"]] == ["Start", "Amount", "Receipt", "Submit", "Never reached"]
    assert report["steps"][4]["reached"] == 0
    assert report["steps"][4]["time_ms"] == {"p50": None, "p90": None}


def test_a_known_guide_without_events_reports_zeros(database):
    publish(1, ["Start"])
    assert guide_known("expense") and not guide_known("nobody-knows")
    report = guide_report("expense", now=NOW)
    assert (report["runs"], report["completion_rate"], report["trend"]) == (0, 0.0, [])
    assert report["steps"][0]["reached"] == 0


def test_broken_targets(database):
    deliver(stream(), 0)
    ingest_batch([{"id": f"x{i}", "type": "target_missing", "guide_id": "other", "guide_version": 4,
                   "step_id": "go", "step_index": 2, "run_id": f"x{i}", "user": "u",
                   "url": f"https://app.example.com/{'a' if i else 'b'}?q=1", "at": f"2026-11-23T08:00:0{i}Z",
                   "selectors": [{"selector": "#go", "matches": i}]} for i in range(3)])
    found = broken_targets()
    assert [(b["guide_id"], b["step_index"], b["count"]) for b in found] == [("other", 2, 3), ("expense", 0, 1),
                                                                           ("expense", 1, 1)]
    assert found[0]["urls"] == ["https://app.example.com/a", "https://app.example.com/b"]
    assert found[0]["selectors"] == [{"selector": "#go", "matches": 2}]
    assert found[0]["last_seen"] == "2026-11-23T08:00:02.000Z"
    assert found[2]["selectors"] == [{"selector": "#amount", "matches": 0}]
    assert [b["guide_id"] for b in broken_targets(date_to=date(2026, 11, 22))] == ["expense", "expense"]
    assert len(broken_targets(limit=1)) == 1


def test_guide_summaries(database):
    deliver(stream(), 0)
    ingest_batch([{"id": "o1", "type": "guide_completed", "guide_id": "other", "guide_version": 1,
                   "run_id": "o1", "user": "u", "at": "2026-11-22T11:00:00Z"}])
    assert guide_summaries(now=NOW) == [
        {"guide_id": "expense", "runs": 7, "completed": 2, "dismissed": 1, "abandoned": 2, "broken": 1,
         "in_progress": 1, "completion_rate": round(2 / 7, 4), "recently_broken": True},
        {"guide_id": "other", "runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0,
         "in_progress": 0, "completion_rate": 1.0, "recently_broken": False},
    ]
    in_range = guide_summaries(date_from=date(2026, 11, 22), date_to=date(2026, 11, 22), now=NOW)
    assert [s["runs"] for s in in_range] == [6, 1]
    assert guide_summaries(now=datetime(2026, 12, 30))[0]["recently_broken"] is False


def test_csv_has_a_header_and_a_row_per_step(database):
    publish(1, ["=HYPERLINK(\"http://evil\")", "Amount", "Receipt", "Submit"])
    deliver(stream(), 0)
    rows = list(csv.reader(io.StringIO(report_csv(guide_report("expense", version=1, now=NOW)))))
    assert rows[0] == ["step_index", "step_id", "title", "reached", "completed", "dropped_dismissed",
                       "dropped_abandoned", "dropped_broken", "drop_rate", "p50_ms", "p90_ms"]
    assert rows[1] == ["0", "step-0", "'=HYPERLINK(\"http://evil\")", "6", "5", "0", "0", "0", "0.0", "3000", "7000"]
    assert rows[2][:8] == ["1", "step-1", "Amount", "5", "4", "0", "0", "1"]
    assert len(rows) == 5


def test_csv_guards_employee_step_ids_and_names_files_safely():
    """Step ids come from events (employee side): they are as inert in a spreadsheet as titles."""
    step = {"index": 0, "step_id": "=cmd|'/c calc'!A1", "title": "@SUM(A1)", "reached": 1, "completed": 0,
            "dropped": {"dismissed": 1, "abandoned": 0, "broken": 0}, "drop_rate": 1.0,
            "time_ms": {"p50": None, "p90": None}}
    [_, row] = list(csv.reader(io.StringIO(report_csv({"steps": [step]}))))
    assert row[1:3] == ["'=cmd|'/c calc'!A1", "'@SUM(A1)"]
    assert csv_filename('a/b "c"') == "waymark-a_b__c_.csv"
    assert csv_filename("expense", "2026-11-01_now") == "waymark-expense-2026-11-01_now.csv"


@pytest.mark.parametrize("values, p50, p90", [([], None, None), ([5], 5, 5), ([1, 2, 3, 4], 2, 4),
                                             (list(range(1, 11)), 5, 9)])
def test_percentile_is_nearest_rank(values, p50, p90):
    assert (percentile(values, 0.5), percentile(values, 0.9)) == (p50, p90)


def test_step_times_are_nearest_rank_percentiles_under_every_filter(database):
    """Percentiles are read from an index walk in SQL: the same as sorting every time here."""
    rng, events, kept = random.Random(7), [], []
    for run in range(120):
        version, role, day = 1 + run % 2, ("sales", "ops", None)[run % 3], 20 + (run // 7) % 3
        page = f"https://app.example.com/{'new' if run % 4 else 'old'}/report"
        common = {"guide_id": "expense", "guide_version": version, "run_id": f"r{run}", "user": "u",
                  "role": role, "step_id": "amount", "step_index": 1, "url": page}
        duration = rng.choice([rng.randint(0, 60_000), 1500])  # ties too
        events += [{**common, "id": f"s{run}", "type": "step_shown", "at": f"2026-11-{day}T10:00:00Z"},
                   {**common, "id": f"c{run}", "type": "step_completed", "at": f"2026-11-{day}T10:01:00Z",
                    "duration_ms": duration}]
        kept.append((version, role, day, page, duration))
    ingest_batch(events)
    for version, role, day, url in [(None, None, None, None), (2, None, None, None), (None, "ops", None, None),
                                    (1, "sales", 21, None), (None, "sales", None, "*/new/*")]:
        values = sorted(d for v, r, dd, u, d in kept if version in (None, v) and role in (None, r)
                        and day in (None, dd) and (url is None or "/new/" in u))
        assert len(values) >= 5
        report = guide_report("expense", version=version, role=role, url=url, now=NOW,
                              date_from=day and date(2026, 11, day), date_to=day and date(2026, 11, day))
        [step] = report["steps"]
        assert (step["reached"], step["completed"]) == (len(values), len(values))
        assert step["time_ms"] == {"p50": percentile(values, 0.5), "p90": percentile(values, 0.9)}


def _event_rows_read(plan):
    """Rows a PostgreSQL plan (EXPLAIN ANALYZE, JSON) read from the event table, filtered or not."""
    read = 0
    if plan.get("Relation Name") == "event":
        read += (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * plan["Actual Loops"]
    for child in plan.get("Plans", []):
        read += _event_rows_read(child)
    return read


def test_the_url_filter_reads_each_run_s_events_not_all_of_the_guide_s(database, store, monkeypatch):
    """With statistics not yet gathered (fresh rows, as after a burst of ingest), PostgreSQL
    planned ``run_id IN (the guide's events on the URL)`` as a loop over all the guide's events
    for every run step: 3.5 million rows read for 3,000 events (1.2 s). Measured with
    tests/benchmarks/bench_url_filter.py; here the rows read are counted, not timed."""
    from tests.benchmarks.bench_url_filter import events
    batch = events(3000)
    for start in range(0, len(batch), 500):
        ingest_batch(batch[start:start + 500])
    statements, execute = [], database.execute_sql

    def remember(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", remember)
    report = guide_report("hot", url="https://app.example.com/page/7", now=NOW)
    monkeypatch.undo()
    assert report["runs"] == 20
    filtered = [(sql, params) for sql, params in statements if "url LIKE" in sql]
    assert filtered
    for sql, params in filtered:
        if store == "postgresql":
            [[[plan]]] = database.execute_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).fetchall()
            assert _event_rows_read(plan["Plan"]) <= 3 * len(batch), sql
        else:
            steps = " ".join(row[-1] for row in database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            assert "SEARCH u USING INDEX event_run_id_at (run_id=?)" in steps, steps
