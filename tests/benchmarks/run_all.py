"""Run every benchmark script in this folder and print its figures (`make bench`).

Each ``bench_*.py`` is a script that prints figures and asserts nothing about
time; this runner only runs them one after another, so their figures do not
compete for the CPU, and says which ones failed to run at all.

    .venv/bin/python tests/benchmarks/run_all.py [NAME_FRAGMENT ...]
"""
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(fragments):
    """The benchmark scripts, in name order, optionally only those whose name contains a fragment."""
    found = sorted(HERE.glob("bench_*.py"))
    return [path for path in found if not fragments or any(f in path.stem for f in fragments)]


def main(fragments):
    failed = []
    for path in scripts(fragments):
        print(f"\n=== {path.stem} ===", flush=True)
        started = time.monotonic()
        answer = subprocess.run([sys.executable, str(path)], cwd=HERE.parents[1])
        print(f"--- {path.stem}: {time.monotonic() - started:.0f} s, exit {answer.returncode}", flush=True)
        if answer.returncode != 0:
            failed.append(path.stem)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
