"""Serve the app with gunicorn from inside the ``waymark`` command."""
from gunicorn.app.base import BaseApplication


class _WaymarkServer(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app
        return create_app()


def _announce(server):
    for listener in server.LISTENERS:
        print(f"Waymark listening on http://{listener.sock.getsockname()[0]}:"
              f"{listener.sock.getsockname()[1]}", flush=True)


def _start_alerts(worker):
    """Each worker runs its own alerts thread (threads do not survive gunicorn's fork)."""
    from .alerts import start_worker
    start_worker(worker.wsgi.config)


def run_gunicorn(host, port, workers=2, threads=4):
    """Run until SIGINT/SIGTERM; every worker builds its own app (nothing shared in memory)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": None,
        # gunicorn's largest request line, so that a page URL up to the API's own
        # 4096-character limit reaches the app and gets its JSON error, not an HTML 414.
        "limit_request_line": 8190,
        "when_ready": _announce,
        "post_worker_init": _start_alerts,
    }
    _WaymarkServer(options).run()
    return 0
