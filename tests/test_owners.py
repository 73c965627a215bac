"""One owner for each fact: a grep of the package finds each rule, table and setting in one module.

- how a run ended (the outcome names as SQL or return values, the abandonment
  cutoff) in runs.py only (migration 0005's frozen copy is held to it by
  tests/test_migrations.py);
- the guide tables (Guide, GuideVersion) in catalogue.py only (and models, migrations);
- the environment in config.py only (and the command line's own flag defaults);
- the fold position (``fold_state``) in folding.py only.

The demo (runner, seed, browser) is not in the package any more (demo/ of the clone).
"""
import ast
import re
from pathlib import Path

import waymark

PACKAGE = Path(waymark.__file__).parent


def _sources(*excepted):
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in excepted or relative.startswith("migrations/"):
            continue
        yield relative, path.read_text(encoding="utf-8")


def _offenders(pattern, *owners):
    found = re.compile(pattern)
    return sorted({relative for relative, text in _sources(*owners) if found.search(text)})


def _code_strings(text):
    """The string literals of a module's code: docstrings and comments left out."""
    tree = ast.parse(text)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


# Words that name nothing but a run's outcome; "completed" also counts steps, so it is
# checked in its SQL form only ('completed').
OUTCOME_WORDS = ("abandoned", "in_progress", "dismissed", "broken")
SQL_OUTCOME = re.compile(r"'(completed|dismissed|broken|abandoned|in_progress|open)'")


def test_outcome_names_and_the_cutoff_are_in_runs_py_only():
    offenders = set()
    for relative, text in _sources("runs.py"):
        for value in _code_strings(text):
            if value in OUTCOME_WORDS or SQL_OUTCOME.search(value) or "{cutoff}" in value:
                offenders.add(relative)
    assert sorted(offenders) == []
    # The cutoff is runs.abandon_cutoff's sum; nobody else subtracts the window from ``now``.
    assert _offenders(r"now\s*-\s*(timedelta\(minutes|_?abandon)", "runs.py") == []


def test_only_the_catalogue_reads_the_guide_tables():
    assert _offenders(r"\bGuide(Version)?\b\s*[.(]|import[^\n]*\bGuide(Version)?\b", "catalogue.py",
                      "models.py") == []


def test_only_config_reads_the_environment():
    assert _offenders(r"os\.environ|os\.getenv|environ\.get", "config.py", "cli.py") == []


def test_only_tokens_py_reads_the_token_table():
    assert _offenders(r"\bToken\b\s*[.(]|import[^\n]*\bToken\b", "tokens.py", "models.py") == []


def test_only_folding_py_moves_the_fold_position_and_folds_new_events():
    """Each event is folded once because one module reads and moves ``fold_state``; a second
    writer, or a fold of events outside it, would count events twice or never."""
    assert _offenders(r"fold_state", "folding.py") == []
    # upsert_runs merges into runs: the fold, and a rebuild of runs it has already folded.
    assert _offenders(r"\bupsert_runs\(", "folding.py", "runs.py", "events.py") == []
