"""Entry point of ``waymark demo``: ``python demo/run.py [--port N] [--site-port N] [--no-browser] [--runs N]``.

The installed ``waymark demo`` command execs this script, so the demo runs
in the same process (signals and exit status are the demo's own).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the clone: ``import demo``

from demo.runner import main  # noqa: E402  (after the path is set)

if __name__ == "__main__":
    sys.exit(main())
