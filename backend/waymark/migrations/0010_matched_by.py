"""How a step's target was found: ``event.matched_by`` and ``event.match_score``.

``matched_by`` is ``selector``, ``fallback`` or ``healed`` on a ``step_shown``
(NULL from extensions before it); ``match_score`` the healing score. The
healed element's fresh target is kept in ``event.detail`` (``healed_target``).
A partial index holds only the degraded shows, which the degraded-targets
report reads (reports.degraded_targets): the healthy majority costs it nothing.
"""
from peewee import SqliteDatabase


def upgrade(db, migrator):
    real = "REAL" if isinstance(db, SqliteDatabase) else "DOUBLE PRECISION"
    db.execute_sql("ALTER TABLE event ADD COLUMN matched_by VARCHAR(16)")
    db.execute_sql(f"ALTER TABLE event ADD COLUMN match_score {real}")
    db.execute_sql("CREATE INDEX event_degraded ON event (at) "
                   "WHERE matched_by IN ('fallback', 'healed')")
