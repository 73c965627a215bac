"""The demo's child processes: start them, find where they listen, stop them all.

Children run in their own session, so a Ctrl-C in the terminal reaches only
``waymark demo``, which then stops them in order and waits for each (a child
interrupted by the terminal at the same time could die mid-write). On Linux a
child also gets SIGTERM if ``waymark demo`` itself is killed, so nothing is
left behind even then.
"""
import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1


class ChildFailed(RuntimeError):
    """A child process exited or did not get ready; the message includes the end of its log."""


class StopDemo(Exception):
    """SIGINT or SIGTERM asked the demo to stop."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: str

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return ""


def _die_with_parent():
    """In the child, before exec: ask Linux for SIGTERM when the parent dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl-C and SIGTERM still stop every child


def start_child(name, argv, log_path, env=None, cwd=None):
    """Start ``argv`` with its output in ``log_path``; the child ignores the terminal's Ctrl-C."""
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    return Child(name, process, log_path)


def wait_for_line(child, pattern, timeout=30):
    """Wait until the child's log has a line matching ``pattern``; return the match."""
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(child.log_path, encoding="utf-8", errors="replace") as log:
            for line in log:
                found = regex.search(line)
                if found:
                    return found
        if child.process.poll() is not None:
            raise ChildFailed(f"{child.name} exited with status {child.process.returncode}:\n"
                              f"{child.log_tail()}")
        time.sleep(0.1)
    raise ChildFailed(f"{child.name} did not start within {timeout} s:\n{child.log_tail()}")


def first_exited(children):
    """The first child that has exited, or None."""
    return next((child for child in children if child.process.poll() is not None), None)


def stop_children(children, timeout=20):
    """SIGTERM every running child, wait for each; SIGKILL any still running after ``timeout``."""
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def _raise_stop(signum, frame):
    raise StopDemo(signal.Signals(signum).name)


class StopOnSignals:
    """Within the block, SIGINT and SIGTERM raise StopDemo; ``quiet()`` then defers further ones."""

    def __enter__(self):
        self.previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        return self

    def quiet(self):
        """While cleaning up, a second Ctrl-C must not interrupt the cleanup half-way."""
        for sig in self.previous:
            signal.signal(sig, signal.SIG_IGN)

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False


def python_command(*args):
    """A command running this Python (the venv's), so children find the same packages."""
    return [sys.executable, *args]


def child_environment(**overrides):
    env = dict(os.environ)
    env.update({key: str(value) for key, value in overrides.items()})
    env["PYTHONUNBUFFERED"] = "1"  # their first line must reach the log at once
    return env
