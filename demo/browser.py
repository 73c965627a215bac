"""Open Chromium with the extension loaded and configured, or say how to do it by hand.

The browser runs through Playwright in a throw-away profile: a persistent
context loads ``extension/dist`` unpacked, and the extension's configuration
(``backendUrl``, ``token``, ``user``, ``role``) is written to
``chrome.storage.local`` from its service worker, exactly as the e2e suite
does (docs/extension.md "Configure").
"""
import contextlib
import os
import shutil
import signal
import tempfile

DEBIAN_CHROMIUM = "/usr/lib/chromium/chromium"


def display_available(environ=None):
    env = os.environ if environ is None else environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def chromium_path(environ=None):
    """``WAYMARK_CHROMIUM``, else Debian's Chromium, else a ``chromium`` on PATH (None if none)."""
    env = os.environ if environ is None else environ
    if env.get("WAYMARK_CHROMIUM"):
        return env["WAYMARK_CHROMIUM"]
    for candidate in (DEBIAN_CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def manual_steps(extension_dir, service_url, extension_token, app_url):
    """The three steps to try the demo in one's own Chrome or Chromium."""
    return "\n".join([
        "To walk a guide, in Chrome or Chromium:",
        f"  1. Open chrome://extensions, turn on Developer mode, click 'Load unpacked' and pick",
        f"     {extension_dir}",
        "  2. Open the extension's options page (Details > Extension options) and set",
        f"     Backend URL: {service_url}",
        f"     Token:       {extension_token}",
        "     Role:        employee        then click Save.",
        f"  3. Open {app_url}",
    ])


@contextlib.contextmanager
def terminal_interrupt_ignored():
    """Start processes that inherit an ignored SIGINT.

    Playwright's driver and the browser share the terminal's process group, so
    a Ctrl-C would reach them too and they would die under the demo's feet;
    ignoring it lets ``waymark demo`` close the browser in order instead.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class DemoBrowser:
    """Chromium with the extension, driven by Playwright; ``close()`` ends it."""

    def __init__(self, extension_dir, executable, headless=False):
        self.extension_dir = str(extension_dir)
        self.executable = executable
        self.headless = headless
        self.profile = None
        self.playwright = None
        self.context = None

    def open(self, config, urls):
        """Launch, configure the extension with ``config``, open ``urls`` (the first ends in front)."""
        from playwright.sync_api import sync_playwright
        self.profile = tempfile.mkdtemp(prefix="waymark-demo-profile-")
        args = [f"--disable-extensions-except={self.extension_dir}",
                f"--load-extension={self.extension_dir}", "--no-first-run",
                "--no-default-browser-check"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        with terminal_interrupt_ignored():
            self.playwright = sync_playwright().start()
            self.context = self.playwright.chromium.launch_persistent_context(
                self.profile, executable_path=self.executable, headless=self.headless, args=args,
                no_viewport=not self.headless, handle_sigint=False)
        worker = (self.context.service_workers[0] if self.context.service_workers
                  else self.context.wait_for_event("serviceworker", timeout=20000))
        worker.evaluate("cfg => chrome.storage.local.set(cfg)", config)
        front = self.context.pages[0] if self.context.pages else self.context.new_page()
        front.goto(urls[0])
        for url in urls[1:]:
            self.context.new_page().goto(url)
        front.bring_to_front()
        return worker.url.split("/")[2]  # the extension id

    def extension_storage(self, keys):
        """The extension's ``chrome.storage.local`` values for ``keys`` (for checks)."""
        worker = self.context.service_workers[0]
        return worker.evaluate("keys => chrome.storage.local.get(keys)", keys)

    def close(self):
        """Close the browser and Playwright; a browser the user already closed is fine."""
        for closing in (lambda: self.context and self.context.close(),
                        lambda: self.playwright and self.playwright.stop()):
            try:
                closing()
            except Exception:  # noqa: BLE001 - the browser may already be gone; nothing to keep
                pass
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
