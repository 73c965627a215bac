"""Helpers of the hard-page e2e tests (e2e/fixtures/): where the overlay lives and who has focus."""
from e2e.overlay import step_numbers, totals, wait_for


def host_parent_id(page):
    """The id of the element the overlay's host lives in ('' for the <html> element)."""
    return page.evaluate("() => { const h = document.querySelector('[data-waymark]'); "
                         "return h && h.parentElement ? (h.parentElement.id || h.parentElement.localName) : null }")


def focus_in_dialog(page):
    """Keyboard focus is inside the overlay's step dialog."""
    return page.evaluate("""() => {
        const host = document.querySelector('[data-waymark]');
        if (!host) return false;
        let active = document.activeElement;
        while (active && active !== host && active.shadowRoot && active.shadowRoot.activeElement) {
            active = active.shadowRoot.activeElement;
        }
        const focused = host.shadowRoot.activeElement;
        return active === host && !!focused && !!focused.closest('[role=dialog]');
    }""")


def focused_label(page):
    """Text of the focused element inside the overlay, or None."""
    return page.evaluate("""() => {
        const host = document.querySelector('[data-waymark]');
        const focused = host && host.shadowRoot.activeElement;
        return focused ? focused.textContent.trim() : null }""")


def tab_to(page, name, presses=12):
    """Press Tab until the dialog's button ``name`` has focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if focused_label(page) == name:
            return
    raise AssertionError(f"Tab never reached the {name} button")


def announced(page):
    """What the overlay's live region says now."""
    return page.evaluate("() => { const h = document.querySelector('[data-waymark]'); "
                         "const r = h && h.shadowRoot.querySelector('[aria-live]'); return r ? r.textContent : null }")


def wait_focus_in_dialog(page, what="focus in the step dialog"):
    return wait_for(lambda: focus_in_dialog(page), what=what)


def finish_run(browser):
    """Wait until the run has ended in the worker (its events are queued by then), then send them."""
    wait_for(lambda: browser.storage("waymark.activeRun") is None, what="the run ended in the worker")
    browser.flush()


def expect_one_run(browser, report, guide_id, ended, steps=None):
    """After the run ends: the report holds one run that ended ``ended``, and ``steps`` when given."""
    finish_run(browser)
    numbers = report(guide_id)
    expected = {"runs": 1, "completed": 0, "dismissed": 0, "abandoned": 0, "broken": 0, ended: 1}
    assert totals(numbers) == expected, totals(numbers)
    if steps is not None:
        assert step_numbers(numbers) == steps
