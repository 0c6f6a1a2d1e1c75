"""Every staff and portal page a person reaches, for the phone-width crawl
(test_browser_phone_layout.py): paths built from the ids of one object of each kind."""

from __future__ import annotations

DEMO_PASSWORD = "localbzz-demo"

# Reports the page's width and, when it is wider than the window, the deepest elements that
# stick out on the right (what to fix). A function: our CSP forbids evaluating expressions.
JS_OVERFLOW = """() => {
  const width = window.innerWidth;
  const name = (el, all) => el.tagName.toLowerCase() + (typeof el.className === "string" && el.className.trim()
    ? "." + (all ? el.className.trim().split(/\\s+/).join(".") : el.className.trim().split(/\\s+/)[0]) : "");
  const culprits = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      const sticksOut = (e) => e.getBoundingClientRect().right > width;
      if (box.width && sticksOut(el) && ![...el.children].some(sticksOut)) {
        let path = name(el, true);
        for (let up = el.parentElement, i = 0; up && i < 3; up = up.parentElement, i++) path = name(up) + " > " + path;
        culprits.push(`${path} (right ${Math.round(box.right)} px)`);
        if (culprits.length >= 5) break;
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits};
}"""


def staff_paths(ids: dict[str, str | None]) -> list[str]:
    paths = [
        "/", "/clients/", "/clients/new/", "/clients/import/", "/shoots/", "/shoots/?view=week",
        "/shoots/?view=list", "/shoots/new/", "/deliverables/", "/deliverables/?view=list", "/deliverables/new/",
        "/tasks/", "/tasks/mine/", "/tasks/new/", "/tasks/time/", "/leads/", "/requests/",
        "/content/", "/content/?view=week", "/content/?view=list", "/content/new/", "/content/approvals/",
        "/content/bulk/", "/content/feeds/", "/library/", "/social-accounts/",
        "/generate/", "/generate/jobs/", "/notifications/", "/settings/", "/settings/team/", "/settings/audit/",
        "/settings/notifications/", "/settings/webhooks/", "/settings/webhooks/new/", "/settings/api-keys/",
        "/shoots/feeds/", "/accounts/password/change/", "/forms/intake/", "/analytics/",
    ]  # fmt: skip
    per_object = {
        "client": [
            "/clients/{}/",
            "/clients/{}/edit/",
            "/clients/{}/portal-users/",
            "/content/new/?client={}",
            "/clients/{}/analytics/",
        ],
        "post": ["/content/{}/", "/content/{}/edit/"],
        "shoot": ["/shoots/{}/", "/shoots/{}/edit/"],
        "deliverable": ["/deliverables/{}/", "/deliverables/{}/edit/"],
        "task": ["/tasks/{}/", "/tasks/{}/edit/"],
        "lead": ["/leads/{}/"],
        "request": ["/requests/{}/"],
        "asset": ["/library/{}/"],
        "member": ["/settings/team/{}/"],
        "job": ["/generate/jobs/{}/"],
    }
    for kind, templates in per_object.items():
        if ids.get(kind):
            paths += [t.format(ids[kind]) for t in templates]
    return paths


def portal_paths(ids: dict[str, str | None]) -> list[str]:
    paths = ["/", "/media/", "/submit/", "/posts/", "/posts/?view=month", "/posts/?view=week", "/approvals/",
             "/requests/", "/deliverables/", "/people/", "/results/"]  # fmt: skip
    if ids.get("portal_post"):
        paths.append(f"/posts/{ids['portal_post']}/")
    if ids.get("portal_request"):
        paths.append(f"/requests/{ids['portal_request']}/")
    return paths


def demo_staff_page(browser, base: str, viewport: dict, email: str = "owner@localbzz.local"):
    """A new browser context at ``viewport``, signed in on the staff app as a demo person: (context, page)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")
    return context, page


def demo_portal_page(browser, base: str, viewport: dict, slug: str = "bella-bakery",
                     email: str = "bella@bella-bakery.example"):  # fmt: skip
    """The same on ``slug``'s portal (``base`` is the live server's URL): (context, page, portal URL)."""
    from playwright.sync_api import expect

    portal = base.replace("://localhost", f"://{slug}.localhost")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{portal}/sign-in/")
    page.get_by_label("Email or business name").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{portal}/")
    return context, page, portal
