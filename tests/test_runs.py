"""How a run ends: completed, dismissed, broken (not recovered), abandoned, in progress."""
from datetime import datetime, timedelta

import pytest

from waymark.runs import fold, merge_runs, outcome, run_summary

T0 = datetime(2026, 11, 22, 10, 0, 0)
WINDOW = timedelta(minutes=30)


def ev(kind, seconds, index=None, **extra):
    base = {"id": f"{kind}-{seconds}", "type": kind, "guide_id": "g", "guide_version": 1,
            "step_id": None if index is None else f"s{index}", "step_index": index, "run_id": "r",
            "user": "u", "role": None, "url": None, "at": T0 + timedelta(seconds=seconds),
            "duration_ms": None, "reason": None}
    base.update(extra)
    return base


def end_of(events, now=T0 + timedelta(minutes=10)):
    [run], _ = fold(events)
    return outcome(run, now, WINDOW)


OUTCOME_CASES = [
    ([ev("guide_started", 0), ev("step_shown", 1, 0), ev("guide_completed", 5, 0)], ("completed", None)),
    ([ev("step_shown", 1, 0), ev("guide_dismissed", 3, 1, reason="escape")], ("dismissed", 1)),
    # A dismissal without a step: the step the run was on.
    ([ev("step_shown", 1, 2), ev("guide_dismissed", 3, None, reason="other")], ("dismissed", 2)),
    ([ev("step_shown", 1, 0), ev("target_missing", 8, 1)], ("broken", 1)),
    # A step shown after the miss: recovered, so in progress (then abandoned later).
    ([ev("target_missing", 8, 1), ev("step_shown", 12, 1)], ("in_progress", None)),
    ([ev("step_shown", 1, 0), ev("step_completed", 4, 0), ev("step_shown", 5, 1)], ("in_progress", None)),
    # The earlier of completion and dismissal decides.
    ([ev("guide_dismissed", 3, 0, reason="escape"), ev("guide_completed", 5, 1)], ("dismissed", 0)),
    ([ev("guide_completed", 3, 1), ev("guide_dismissed", 5, 1, reason="escape")], ("completed", None)),
]


@pytest.mark.parametrize("events, expected", OUTCOME_CASES)
def test_outcomes(events, expected):
    assert end_of(events) == expected
    assert end_of(events[::-1]) == expected  # arrival order does not matter


def test_abandoned_after_the_window_only():
    events = [ev("step_shown", 0, 0), ev("step_completed", 3, 0), ev("step_shown", 4, 1)]
    last = T0 + timedelta(seconds=4)
    assert end_of(events, now=last + WINDOW) == ("in_progress", None)
    assert end_of(events, now=last + WINDOW + timedelta(seconds=1)) == ("abandoned", 1)


def test_merge_is_order_independent():
    events = [ev("guide_started", 0), ev("step_shown", 1, 0, role="sales"), ev("target_missing", 9, 2),
              ev("step_back", 9, 1), ev("guide_dismissed", 20, 2, reason="escape"),
              ev("guide_dismissed", 25, 1, reason="other")]
    summaries = [run_summary(e) for e in events]
    forward = summaries[0]
    for summary in summaries[1:]:
        forward = merge_runs(forward, summary)
    backward = summaries[-1]
    for summary in summaries[-2::-1]:
        backward = merge_runs(backward, summary)
    assert forward == backward
    assert (forward["step_index"], forward["dismiss_reason"], forward["role"]) == (1, "escape", "sales")
