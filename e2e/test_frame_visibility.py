"""Tooltips beside targets in same-origin frames (issue 11, defect 3).

Frames near the top-left and mid-page (below the first screen), one nested in
the other, each scrolled on its own: the tooltip is visible and beside its
target at every offset and scroll position where the target can be seen, and
hidden where it cannot (scrolled out of the page, or out of its own frame).
"""
from e2e.hard_pages import expect_one_run
from e2e.overlay import button, dialog, expect_no_dialog, expect_step, wait_for

GAP_PX = 40  # the tooltip's offset is 12 px; leeway for the arrow and rounding


def frame(page, name):
    return next(f for f in page.frames if f.url.endswith(f"/{name}"))


def placed_beside(page, target):
    """The dialog is visible and just right of ``target`` (a locator inside frames), overlapping it vertically."""
    t = target.bounding_box()
    box = dialog(page).bounding_box()
    visible = dialog(page).evaluate("d => getComputedStyle(d).visibility") == "visible"
    if not (t and box and visible):
        return False
    gap = box["x"] - (t["x"] + t["width"])
    return 0 <= gap <= GAP_PX and box["y"] <= t["y"] + t["height"] and box["y"] + box["height"] >= t["y"]


def hidden(page):
    return dialog(page).evaluate("d => getComputedStyle(d).visibility") == "hidden"


def expect_beside(page, target, what):
    wait_for(lambda: placed_beside(page, target), what=f"the tooltip beside its target ({what})")


def test_tooltips_in_frames_at_several_offsets_and_scroll_positions(configured, fixture_pages, make_guide, publish,
                                                                     report):
    steps = [{"id": name, "target": {"selector": f"#{name}-target"}, "title": title, "body": "In a frame.",
              "placement": "right", "advance": {"on": "next"}}
             for name, title in [("near", "Near the top"), ("mid", "Mid-page"), ("nested", "Nested")]]
    guide = make_guide(steps + [{"id": "done", "title": "All set", "body": "Done.", "advance": {"on": "next"}}],
                       include=(f"{fixture_pages}/frames",))
    publish(guide)
    page = configured.new_page()
    page.goto(f"{fixture_pages}/frames")
    near = page.frame_locator("#near").locator("#near-target")
    mid = page.frame_locator("#mid").locator("#mid-target")
    nested = page.frame_locator("#mid").frame_locator("#nested").locator("#nested-target")

    expect_step(page, "Near the top")
    expect_beside(page, near, "frame near the top")
    page.evaluate("scrollTo(0, 30)")
    expect_beside(page, near, "page scrolled a little")
    button(page, "Next").click()

    expect_step(page, "Mid-page")  # revealing it scrolls the page: the frame sits below the first screen
    expect_beside(page, mid, "frame mid-page")
    assert page.evaluate("scrollY") > 500, "the frame is mid-page"
    for dy in (-150, 120):
        page.evaluate("dy => scrollBy(0, dy)", dy)
        expect_beside(page, mid, f"page scrolled by {dy}")
    frame(page, "frame-mid").evaluate("scrollBy(0, 60)")
    expect_beside(page, mid, "frame scrolled")
    page.evaluate("scrollTo(0, 0)")  # the frame is below the viewport now
    wait_for(lambda: hidden(page), what="the tooltip hidden with its target out of view")
    mid.scroll_into_view_if_needed()
    expect_beside(page, mid, "scrolled back")
    button(page, "Next").click()

    expect_step(page, "Nested")
    expect_beside(page, nested, "nested frame")
    frame(page, "frame-nested").evaluate("scrollBy(0, 40)")
    expect_beside(page, nested, "nested frame scrolled")
    page.evaluate("scrollBy(0, 50)")
    expect_beside(page, nested, "page scrolled under the nested frame")
    frame(page, "frame-nested").evaluate("scrollTo(0, 0)")  # out of its own frame's view, the frame on screen
    wait_for(lambda: hidden(page), what="the tooltip hidden with its target scrolled out of its frame")
    frame(page, "frame-nested").evaluate("document.getElementById('nested-target').scrollIntoView({block: 'center'})")
    expect_beside(page, nested, "nested target back in view")
    button(page, "Next").click()
    expect_step(page, "All set")
    button(page, "Done").click()
    expect_no_dialog(page)
    expect_one_run(configured, report, guide["id"], "completed", [(1, 1, 0, 0, 0)] * 4)
