"""Guide lookup latency with 1,000 published guides: in-process and through HTTP.

    .venv/bin/python tests/benchmarks/bench_guide_lookup.py [GUIDES] [DATABASE_URL]

Default: 1,000 guides in a fresh SQLite file. Pass a postgresql:// URL of an
empty database to measure PostgreSQL. Prints figures; asserts nothing.

In-process figures call ``catalogue.matching`` as the view does (one read of
the catalogue revision, then the per-process cache). "distinct pages" asks for
a new URL every time (the answer cache never hits); "same page" repeats one.
HTTP figures go through a real ``waymark serve`` (gunicorn) on loopback with
one keep-alive connection and an extension token.
"""
import http.client
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "backend")]

from tests.harness import start_service, stop_service  # noqa: E402
from waymark import catalogue, db, migrations  # noqa: E402

ROLES = ("employee", "manager", "finance")


def make_guide(index):
    """A realistic guide: three steps with bodies, include and exclude globs, an audience on some."""
    guide = {
        "id": f"guide-{index:05d}",
        "title": f"Guide {index}",
        "match": {"include": [f"https://app{index % 200}.example.com/section{index}/*"],
                  "exclude": ["*/admin/*"]},
        "steps": [{"id": f"s{step}", "title": f"Step {step}",
                   "body": f"Click **Save** in *section {index}*, then see [help](https://help.example/{index}).",
                   "target": {"selector": f"[data-testid=save-{step}]", "text": "Save"},
                   "advance": {"on": "click"}} for step in range(3)],
    }
    if index % 3:
        guide["audience"] = {"roles": [ROLES[index % 3]]}
    return guide


def percentiles(samples_ms):
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):.3f} ms, p95 {p95:.3f} ms ({len(ordered)} lookups)"


def timed(function, arguments):
    samples = []
    for args in arguments:
        started = time.perf_counter()
        function(*args)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def page(index):
    return f"https://app{index % 200}.example.com/section{index}/reports/{index * 7}?tab=2"


def in_process(count):
    started = time.perf_counter()
    catalogue.matching(page(0), "employee")
    print(f"  first lookup (cache built from the database): {(time.perf_counter() - started) * 1000:.1f} ms")
    distinct = [(page(i % count) + f"&n={i}", ROLES[i % 3]) for i in range(2000)]
    print("  distinct pages: " + percentiles(timed(catalogue.matching, distinct)))
    print("  same page:      " + percentiles(timed(catalogue.matching, [(page(5), "manager")] * 2000)))
    print("  no url (whole catalogue for a role): "
          + percentiles(timed(catalogue.matching, [(None, ROLES[i % 3]) for i in range(300)])))


def through_http(service, count):
    host, port = service.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Authorization": f"Bearer {service.tokens['extension']}"}

    def get(path):
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status in (200, 304), (answer.status, body[:200])
        return answer, body

    get(f"/api/v1/guides?url={quote(page(0), safe='')}&role=employee")  # warm every worker
    paths = [f"/api/v1/guides?url={quote(page(i % count) + f'&n={i}', safe='')}&role={ROLES[i % 3]}"
             for i in range(1000)]
    print("  distinct pages: " + percentiles(timed(get, [(path,) for path in paths])))
    whole = "/api/v1/guides?role=employee"
    answer, body = get(whole)
    print(f"  no url, role=employee ({len(body) / 1024:.0f} KiB): "
          + percentiles(timed(get, [(whole,)] * 200)))
    etag = answer.getheader("ETag")

    def revalidate():
        connection.request("GET", whole, headers={**headers, "If-None-Match": etag})
        reply = connection.getresponse()
        reply.read()
        assert reply.status == 304
    print("  no url, If-None-Match → 304: " + percentiles(timed(revalidate, [()] * 500)))
    connection.close()


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    real = db.bind(url)
    migrations.upgrade(real)
    with real.connection_context():
        started = time.perf_counter()
        for index in range(count):
            catalogue.publish(make_guide(index))
        print(f"published {count} guides in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        print("in-process, catalogue.matching(url, role):")
        in_process(count)
    service = start_service(url)
    try:
        print("through HTTP (waymark serve, one keep-alive connection):")
        through_http(service, count)
    finally:
        stop_service(service)


if __name__ == "__main__":
    main()
