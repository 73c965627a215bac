"""Browser helpers of the dashboard tests (a module of its own: ``import conftest`` is ambiguous here)."""


class PageWatch:
    """Console errors and page errors of a page, CSP violations included."""

    def __init__(self, page):
        self.problems = []
        page.on("console", lambda message: message.type == "error" and self.problems.append(message.text))
        page.on("pageerror", lambda error: self.problems.append(str(error)))


def new_page(browser, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    return context, page, PageWatch(page)


def sign_in(page, base_url, token):
    page.goto(f"{base_url}/dashboard/sign-in")
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
