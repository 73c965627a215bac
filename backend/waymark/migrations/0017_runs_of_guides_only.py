"""Only guides have runs (runs.of_guides): the runs the fold made of other documents go.

Before this, a tip's ``target_missing`` (which carries its page view as ``run_id``)
was folded like a guide step's, into a broken run of the tips document, so the
guide list showed the document as a guide with runs that broke. Such a document's
rows in ``run`` and ``run_step`` are deleted and its rollups counted again from
nothing (``rollups.reset``): no runs, and its misses, which stay on the
broken-targets report, counted from the events as before. Guides keep every row.
No schema changes.
"""
from .. import catalogue, folding, rollups
from ..db import execute
from ..schemas.document import DEFAULT_KIND


def upgrade(db, migrator):
    for guide_id, kind in sorted(catalogue.kinds_of(rollups.guide_ids()).items()):
        if kind == DEFAULT_KIND:
            continue
        with folding.paused() as folded_up_to:  # as events.rebuild resets a guide's counts
            for table in ("run_step", "run"):
                execute(f"DELETE FROM {table} WHERE guide_id = ?", [guide_id], on=db)
            rollups.reset(guide_id, folded_up_to)
