"""Broken runs by guide and latest miss: a partial index ``run (guide_id, missing_at)``
of the runs whose state is ``broken``.

The guide list flags a guide whose runs broke lately (reports/summaries.py
``_recently_broken_guides``): with this index that is one probe per guide,
whatever the number of events or misses (before it, the last week's
``target_missing`` events were read and joined to their runs, which grows with a
week's traffic: 166 ms for the API guide list on PostgreSQL at 10^7 events,
docs/reports.md). Only broken runs are in it, so ingest of the others never
touches it.
"""


def upgrade(db, migrator):
    db.execute_sql("CREATE INDEX run_broken_guide_missing_at ON run (guide_id, missing_at) "
                   "WHERE state = 'broken'")
