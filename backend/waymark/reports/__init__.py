"""Reports over the runs folded from the events (runs.py, folding.py): one module per family of questions.

- ``filters``: the one filter every report's SQL starts from (guide, version,
  date range, role, URL), dates and rates;
- ``guides``: one guide's drop-off report (funnel, steps, trend) and its filter choices;
- ``summaries``: a line per guide, for the dashboard's list;
- ``targets``: steps whose target went missing, and those found only by a fallback or by healing;
- ``export``: a report as CSV;
- ``kinds``: a document's report by its kind (``GET /api/v1/reports/guides/<id>``),
  with ``tips``, ``nudges`` (the funnel), ``surveys`` (pulse and exit surveys),
  ``help_panel`` (the help panel and resources) and ``kind_export`` (their CSV).

A report function answers one question with a few grouped queries (none reads
every event) and takes what it needs as arguments: its filters, ``now`` and
``abandon_after_minutes`` (the views pass ``app.config``'s, the command line and
benchmarks ``config.from_environment()``'s). How a run ended (its outcome
names, the SQL for them, the abandonment cutoff) comes from runs.py only; guide
titles come from the catalogue. A new family is a module here of the same
shape, its SQL built on ``filters.where``.
"""
