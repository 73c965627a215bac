"""Rollups equal the exact computation from the runs: counts exactly, p50/p90 within 1%.

The reference is the run-based SQL (``guide_report(..., from_runs=True)``, the path a
URL filter takes) and, for the guide list, the outcome of every stored run in Python
(runs.outcome). Streams: the known one of test_reports and a random one whose
events arrive out of order, twice, late across midnight and with outcomes that
change (completed after dismissed, recovered after broken).
"""
import random
from datetime import date, datetime, timedelta

import pytest

from tests.folded import ingest_batch
from waymark import db, rollups, runs
from waymark.db import query
from waymark.models import Run
from waymark.reports.guides import guide_report, report_filter_options
from waymark.reports.summaries import guide_summaries
from waymark.reports.targets import broken_targets

from .test_reports import NOW, deliver, stream

WINDOW = timedelta(minutes=30)
COUNTS = ("runs", "completed", "dismissed", "abandoned", "broken", "in_progress", "completion_rate",
          "trend", "missing_targets")


def assert_report_matches_runs(guide_id, now, **filters):
    """The rollup report of ``guide_id`` equals the run-based one; times within 1%."""
    rolled = guide_report(guide_id, now=now, **filters)
    exact = guide_report(guide_id, now=now, from_runs=True, **filters)
    assert {k: rolled[k] for k in COUNTS} == {k: exact[k] for k in COUNTS}, filters
    assert len(rolled["steps"]) == len(exact["steps"])
    for mine, theirs in zip(rolled["steps"], exact["steps"]):
        assert {k: v for k, v in mine.items() if k != "time_ms"} == \
            {k: v for k, v in theirs.items() if k != "time_ms"}, filters
        for name in ("p50", "p90"):
            assert within_one_percent(mine["time_ms"][name], theirs["time_ms"][name]), (filters, mine, theirs)
    return rolled


def within_one_percent(estimate, exact):
    if exact is None or estimate is None:
        return estimate == exact
    return abs(estimate - exact) <= 0.01 * exact


def summaries_from_runs(now, date_from=None, date_to=None):
    """The guide list's counts from every stored run's outcome in Python (runs.outcome), of
    the runs started in the range; every guide with runs has a line."""
    lines = {}
    for run in Run.select().dicts():
        kinds = lines.setdefault(run["guide_id"], dict.fromkeys(runs.OUTCOMES, 0))
        day = date.fromisoformat(str(run["started_at"])[:10])
        if (date_from is None or day >= date_from) and (date_to is None or day <= date_to):
            kinds[runs.outcome(run, now, WINDOW)[0]] += 1
    return lines


def assert_summaries_match_runs(now, date_from=None, date_to=None):
    found = {line["guide_id"]: {kind: line[kind] for kind in runs.OUTCOMES}
             for line in guide_summaries(date_from=date_from, date_to=date_to, now=now)}
    assert found == summaries_from_runs(now, date_from, date_to), (date_from, date_to)


FILTERS = [{}, {"version": 1}, {"version": 2}, {"role": "sales"}, {"role": "employee", "version": 1},
           {"date_from": date(2026, 11, 22)}, {"date_to": date(2026, 11, 21)},
           {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)},
           {"date_from": date(2026, 10, 30), "date_to": date(2026, 12, 2), "role": "ops"}]


@pytest.mark.parametrize("seed", [0, 1])
def test_known_stream_rollups_equal_the_runs(database, seed):
    deliver(stream(), seed)
    for filters in FILTERS:
        assert_report_matches_runs("expense", NOW, **filters)
    # The known stream's times are few and distinct: the histograms give them exactly.
    rolled = guide_report("expense", version=1, now=NOW)
    assert [s["time_ms"] for s in rolled["steps"]] == \
        [s["time_ms"] for s in guide_report("expense", version=1, now=NOW, from_runs=True)["steps"]]
    assert_summaries_match_runs(NOW)


def random_stream(rng, runs_count=150):
    """Runs of two guides over three days around month ends, with changing outcomes."""
    events = []
    for number in range(runs_count):
        guide_id, version = rng.choice(("hot", "hot", "cold")), rng.choice((1, 2))
        start = datetime(2026, 10, 30, 23, 50) + timedelta(minutes=rng.randrange(3 * 24 * 60))
        roles = [rng.choice(("sales", "ops", None))]
        if rng.random() < 0.2:
            roles.append(rng.choice(("sales", "ops")))  # a later event says another role
        run_id, at, step = f"r{number}", start, 0
        kinds = [("guide_started", None)]
        for step in range(rng.randrange(1, 5)):
            kinds.append(("step_shown", step))
            if rng.random() < 0.15:
                kinds.append(("target_missing", step))
                if rng.random() < 0.5:
                    kinds.append(("step_shown", step))  # recovered
            if rng.random() < 0.85:
                kinds.append(("step_completed", step))
        ending = rng.random()
        if ending < 0.3:
            kinds.append(("guide_completed", step))
        elif ending < 0.5:
            kinds.append(("guide_dismissed", step))
            if rng.random() < 0.5:
                kinds.append(("guide_completed", step))  # completed after dismissed: still dismissed
        elif ending < 0.6:
            kinds.append(("guide_completed", step))
            kinds.append(("guide_dismissed", step))  # dismissed after completed: still completed
        for position, (kind, index) in enumerate(kinds):
            at += timedelta(milliseconds=rng.choice((500, 1500, rng.randrange(100, 90_000))))
            event = {"id": f"{run_id}-{position}", "type": kind, "guide_id": guide_id, "guide_version": version,
                     "run_id": run_id, "user": f"u{number}", "role": roles[min(position, len(roles) - 1)],
                     "url": "https://app.example.com/page", "at": at.isoformat(timespec="milliseconds") + "Z"}
            if index is not None:
                event.update(step_index=index, step_id=f"s{index}")
            if kind == "step_completed" and rng.random() < 0.7:
                event["duration_ms"] = rng.choice((0, 1, 7, 1500, rng.randrange(50, 200_000)))
            if kind == "guide_dismissed":
                event["reason"] = "escape"
            if kind == "target_missing":
                event["selectors"] = [{"selector": "#x", "matches": 0}]
            events.append(event)
    return events


@pytest.mark.parametrize("seed", [3, 4])
def test_random_stream_with_duplicates_and_late_events_rollups_equal_the_runs(database, seed):
    rng = random.Random(seed)
    events = random_stream(rng)
    # Late, out of order and twice: shuffled, every fourth event sent again later.
    shuffled = events[:]
    rng.shuffle(shuffled)
    shuffled += rng.sample(shuffled, len(shuffled) // 4)
    position = 0
    while position < len(shuffled):
        size = rng.randint(1, 40)
        ingest_batch(shuffled[position:position + size])
        position += size
    now = datetime(2026, 11, 2, 23, 0)  # some runs of the last hour are still in progress
    for guide_id in ("hot", "cold"):
        for filters in FILTERS + [{"date_from": date(2026, 10, 31), "date_to": date(2026, 11, 1)},
                                  {"date_from": date(2026, 11, 1)}, {"version": 2, "role": "ops"}]:
            assert_report_matches_runs(guide_id, now, **filters)
    for date_from, date_to in [(None, None), (date(2026, 10, 31), date(2026, 11, 1)), (date(2026, 11, 1), None),
                               (None, date(2026, 10, 31)), (date(2026, 10, 1), date(2026, 10, 31))]:
        assert_summaries_match_runs(now, date_from, date_to)
    for day in (None, date(2026, 10, 31), date(2026, 11, 1)):
        assert broken_targets(date_from=day, date_to=day) == broken_targets(date_from=day, date_to=day,
                                                                            from_events=True)
    assert report_filter_options("hot") == _filter_options_from_runs("hot")
    assert_rollups_are_a_fresh_count()


def _filter_options_from_runs(guide_id):
    pairs = query("SELECT DISTINCT guide_version, role FROM run WHERE guide_id = ?", [guide_id])
    return {"versions": sorted({v for v, _ in pairs}, reverse=True),
            "roles": sorted({r for _, r in pairs if r is not None})}


def rollup_rows():
    """Every rollup row with a count, as comparable tuples (extremes aside: they only grow)."""
    tables = {"rollup_run": "k, runs", "rollup_step": "k, reached, completed",
              "rollup_day": "k, started, completed", "rollup_step_time": "k, count",
              "rollup_guide_time": "k, count", "rollup_miss": "k, count, latest_id"}
    return {table: sorted(tuple(row) for row in query(f"SELECT {columns} FROM {table}") if any(row[1:]))
            for table, columns in tables.items()}


def assert_rollups_are_a_fresh_count():
    """What ingest kept incrementally is what counting the final runs from scratch gives."""
    kept = rollup_rows()
    for table in rollups.TABLES:
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE run SET rolled_up = NULL")
    db.execute("UPDATE run_step SET rolled_up = NULL")
    rollups.recount()
    rollups.recount_misses()
    assert rollup_rows() == kept


def test_a_run_crosses_from_in_progress_to_abandoned_with_no_new_event(database):
    ingest_batch([{"id": "e1", "type": "guide_started", "guide_id": "g", "guide_version": 1, "run_id": "r1",
                   "user": "u", "at": "2026-11-22T10:00:00Z"},
                  {"id": "e2", "type": "step_shown", "guide_id": "g", "guide_version": 1, "run_id": "r1",
                   "user": "u", "step_index": 0, "step_id": "a", "at": "2026-11-22T10:01:00Z"}])
    before, after = datetime(2026, 11, 22, 10, 30), datetime(2026, 11, 22, 10, 32)
    early, late = guide_report("g", now=before), guide_report("g", now=after)
    assert (early["in_progress"], early["abandoned"]) == (1, 0)
    assert (late["in_progress"], late["abandoned"]) == (0, 1)
    assert late["steps"][0]["dropped"]["abandoned"] == 1 and early["steps"][0]["dropped"]["abandoned"] == 0
    assert [(s["in_progress"], s["abandoned"]) for s in (guide_summaries(now=before)[0],
                                                         guide_summaries(now=after)[0])] == [(1, 0), (0, 1)]


def test_the_in_progress_runs_are_read_from_the_index_on_last_activity(database):
    """The open runs inside the window come from the partial index, not from a guide's runs."""
    plan_sql = ("SELECT * FROM run WHERE state = 'open' AND last_at >= ?")
    if db.is_postgres():
        rows = query("SET enable_seqscan = off; EXPLAIN " + plan_sql, [NOW])
    else:
        rows = query("EXPLAIN QUERY PLAN " + plan_sql, [NOW])
    assert "run_open_last_at" in " ".join(str(value) for row in rows for value in row)


def test_recently_broken_guides_are_probed_in_the_index_of_broken_runs(database):
    """The guide list's warning mark: one probe per guide into the partial index of broken
    runs by guide and latest miss, not a scan of the week's misses."""
    from waymark.reports.summaries import _recently_broken_guides
    plan_sql = "SELECT 1 FROM run r WHERE r.guide_id = ? AND r.state = 'broken' AND r.missing_at >= ?"
    if db.is_postgres():
        rows = query("SET enable_seqscan = off; EXPLAIN " + plan_sql, ["g", NOW])
    else:
        rows = query("EXPLAIN QUERY PLAN " + plan_sql, ["g", NOW])
    assert "run_broken_guide_missing_at" in " ".join(str(value) for row in rows for value in row)
    deliver(stream(), 0)
    [(latest_break,)] = query("SELECT MAX(missing_at) FROM run WHERE state = 'broken'")
    latest_break = datetime.fromisoformat(str(latest_break))
    assert _recently_broken_guides(latest_break) == {"expense"}
    assert _recently_broken_guides(latest_break + timedelta(milliseconds=1)) == set()


@pytest.mark.parametrize("value", [0, 1, 2, 3, 50, 99, 100, 101, 127, 1000, 1013, 65_432, 10**6, 2 * 10**9])
def test_a_bucket_holds_its_value_and_spans_one_percent(value):
    bucket = rollups.bucket_of(value)
    if value == 0:
        assert bucket == -1 and rollups.representative(bucket, None, None) == 0
        return
    assert rollups.GAMMA ** bucket <= value < rollups.GAMMA ** (bucket + 1)
    assert abs(rollups.representative(bucket, None, None) - value) <= 0.01 * value + 0.5
    assert rollups.representative(bucket, value, value) == value


def test_histogram_percentiles_are_within_one_percent_of_nearest_rank():
    from waymark.reports.guides import percentile
    rng = random.Random(11)
    values = sorted(int(rng.lognormvariate(8, 1.5)) for _ in range(5000))
    buckets = {}
    for value in values:
        entry = buckets.setdefault(rollups.bucket_of(value), [0, value, value])
        entry[0] += 1
        entry[1], entry[2] = min(entry[1], value), max(entry[2], value)
    found = [(b, c, lo, hi) for b, (c, lo, hi) in buckets.items()]
    for fraction in (0.5, 0.9, 0.99):
        assert within_one_percent(rollups.percentile_of_histogram(found, fraction), percentile(values, fraction))


def test_a_range_reads_whole_months_where_it_holds_all_their_data(database):
    ingest_batch([{"id": f"p{n}", "type": "step_completed", "guide_id": "g", "guide_version": 1, "run_id": f"r{n}",
                   "user": "u", "step_index": 0, "step_id": "a", "duration_ms": 1000 + n, "at": at}
                  for n, at in enumerate(["2026-09-10T10:00:00Z", "2026-10-03T10:00:00Z", "2026-10-20T10:00:00Z",
                                          "2026-11-02T10:00:00Z"])])
    periods = rollups._periods
    assert periods("g", None, None) == ["all"]
    # September's data starts on the 10th, November's ends on the 2nd: both whole.
    assert periods("g", date(2026, 9, 1), None) == ["2026-09", "2026-10", "2026-11"]
    assert periods("g", date(2026, 10, 2), date(2026, 10, 31)) == [f"2026-10-{d:02d}" for d in range(2, 32)]
    assert periods("g", date(2026, 10, 1), date(2026, 11, 1)) == ["2026-10", "2026-11-01"]
    assert periods("nobody", date(2026, 10, 1), None) == []
    for date_from, date_to in [(date(2026, 9, 1), None), (date(2026, 10, 2), date(2026, 10, 31)),
                               (date(2026, 10, 1), date(2026, 11, 1)), (None, date(2026, 10, 3))]:
        assert_report_matches_runs("g", NOW, date_from=date_from, date_to=date_to)


def test_all_time_is_one_row_per_outcome_and_each_month_the_sum_of_its_days(database):
    """What keeps "All time" flat: however many days a guide's runs spread over, its all-time
    rows are one per version, role, outcome and drop step (and per step), and the month and
    all-time rows are the sums of the day rows."""
    rng = random.Random(5)
    ingest_batch(random_stream(rng))
    for table, key, sums in (("rollup_run", "guide_id, guide_version, role, state, drop_index, drop_step_id", "runs"),
                             ("rollup_step", "guide_id, guide_version, role, step_index, step_id",
                              "reached, completed"),
                             ("rollup_miss", "guide_id, guide_version, role, step_index, step_id, url", "count")):
        figures = ", ".join(f"SUM({column})" for column in sums.split(", "))
        by_day = query(f"SELECT {key}, SUBSTR(period, 1, 7), {figures} FROM {table} WHERE LENGTH(period) = 10 "
                       f"GROUP BY {key}, SUBSTR(period, 1, 7)")
        months = query(f"SELECT {key}, period, {figures} FROM {table} WHERE LENGTH(period) = 7 GROUP BY {key}, period")
        assert sorted(map(tuple, by_day), key=repr) == sorted(map(tuple, months), key=repr), table
        distinct = query(f"SELECT {key}, {figures} FROM {table} WHERE LENGTH(period) = 10 GROUP BY {key}")
        every = query(f"SELECT {key}, {sums} FROM {table} WHERE period = 'all'")
        assert sorted(map(tuple, every), key=repr) == sorted(map(tuple, distinct), key=repr), table
    [(days,)] = query("SELECT COUNT(DISTINCT period) FROM rollup_run WHERE LENGTH(period) = 10")
    assert days > 1
    started = query("SELECT day, SUM(started), SUM(completed) FROM rollup_day GROUP BY day ORDER BY day")
    from_runs = query("SELECT day, SUM(runs), SUM(CASE WHEN state = 'completed' THEN runs ELSE 0 END) "
                      "FROM (SELECT period AS day, state, runs FROM rollup_run WHERE LENGTH(period) = 10) d "
                      "GROUP BY day ORDER BY day")
    assert list(map(tuple, started)) == list(map(tuple, from_runs))


def test_misses_are_counted_by_their_own_day_and_month_even_past_the_last_run(database):
    """A run started on the last day of October whose target goes missing on the first of
    November: the miss is November's (so a range ending in October, which October's month
    row would cover whole for the runs, must not read it), and all time's."""
    def event(number, kind, at, **fields):
        return {"id": f"m{number}", "type": kind, "guide_id": "g", "guide_version": 1, "run_id": "r1",
                "user": "u", "url": "https://app.example.com/p", "at": at, **fields}
    ingest_batch([event(0, "guide_started", "2026-10-31T23:59:00Z"),
                  event(1, "step_shown", "2026-10-31T23:59:30Z", step_index=0, step_id="a"),
                  event(2, "target_missing", "2026-11-01T00:00:10Z", step_index=1, step_id="b",
                        selectors=[{"selector": "#b", "matches": 0}])])
    for date_from, date_to, count in [(None, None, 1), (date(2026, 10, 1), date(2026, 10, 31), 0),
                                      (None, date(2026, 10, 31), 0), (date(2026, 11, 1), None, 1),
                                      (date(2026, 11, 1), date(2026, 11, 30), 1), (date(2026, 10, 1), None, 1)]:
        found = broken_targets(date_from=date_from, date_to=date_to)
        assert sum(entry["count"] for entry in found) == count, (date_from, date_to)
        assert found == broken_targets(date_from=date_from, date_to=date_to, from_events=True)
        assert found == [] or found[0]["selectors"] == [{"selector": "#b", "matches": 0}]
        assert_report_matches_runs("g", NOW, date_from=date_from, date_to=date_to)
    assert sorted(period for (period,) in query("SELECT period FROM rollup_miss")) == ["2026-11", "2026-11-01", "all"]


def test_a_key_text_is_the_json_of_its_list():
    """``k`` was written by json.dumps before; the hand-built text must stay the same."""
    import json
    from waymark.rollups import _text
    keys = [["guide-00", 1, "sales", "2026-08-01", "completed", None, None],
            ["all", "g", -1, "step \"quoted\" \\ back", 2 ** 40, "tab\tnew\nline", "é ü 漢 🙂"],
            [None, 0, "\x00\x1f\x7f", "</script>", "'", ""]]
    for key in keys:
        assert _text(key) == json.dumps(key, separators=(",", ":"))
