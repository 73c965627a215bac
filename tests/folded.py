"""In-process ingest for tests that read runs, reports or rollups right after storing: the
batch is stored (ingest.py), then folded, as the service's fold thread or a report's
catch-up would (folding.py). tests/test_folding.py tests the fold behind ingest itself."""
from waymark import folding, ingest


def ingest_batch(raw_events, **options):
    """``ingest.ingest_batch``, then every stored event folded."""
    results = ingest.ingest_batch(raw_events, **options)
    folding.catch_up()
    return results
