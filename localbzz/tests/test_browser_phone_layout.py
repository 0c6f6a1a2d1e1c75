"""Every staff and portal page on a 390×844 phone, with the demo data: nothing is wider than the
screen (document.documentElement.scrollWidth > innerWidth fails) and nothing logs a console error
or throws. And on a failed post, Retry stays inside its card however long the platform's error."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client, Lead, PortalRequest, Shoot, Task
from agency.models.team import TeamMember
from generation.models import GenerationJob
from localbzz.tests.phone_pages import JS_OVERFLOW, demo_portal_page, demo_staff_page, portal_paths, staff_paths
from publishing.models import MediaAsset, Post, PostTarget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_ERROR = (
    "Facebook could not fetch the photo at http://localhost:8000/library/files/clients/"
    "21e41fd5-f823-4614-a96d-30397807afb4/media/2026/12/very-long-file-name-of-a-sourdough-loaf.jpg"
    "?expires=1796000000&signature=0123456789abcdef0123456789abcdef (error 324: Missing or invalid image file)"
)


def _ids() -> dict[str, str | None]:
    bella = Client.objects.get(slug="bella-bakery")

    def first(qs):
        obj = qs.first()
        return str(obj.pk) if obj else None

    return {
        "client": str(bella.pk),
        "post": first(Post.objects.filter(targets__status="failed")),
        "shoot": first(Shoot.objects.all()),
        "deliverable": first(bella.deliverables.all()),
        "task": first(Task.objects.all()),
        "lead": first(Lead.objects.all()),
        "request": first(PortalRequest.objects.all()),
        "asset": first(MediaAsset.objects.all()),
        "member": first(TeamMember.objects.all()),
        "job": first(GenerationJob.objects.all()),
        "portal_post": first(Post.objects.filter(client=bella)),
        "portal_request": first(PortalRequest.objects.filter(client=bella)),
    }


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())  # renditions wait in the queue: pages show placeholders
    bella = Client.objects.get(slug="bella-bakery")
    post = Post.objects.filter(client=bella, status="scheduled").first()
    target = post.targets.first()
    PostTarget.objects.filter(pk=target.pk).update(status="failed", last_error=LONG_ERROR, attempts=3)
    Post.objects.filter(pk=post.pk).update(status="partially_published")
    GenerationJob.objects.create(
        client=bella, kind="caption", provider="builtin", status="succeeded", input={"topic": "Sourdough"},
        result={"topic": "Sourdough", "captions": {"facebook": "Fresh sourdough at 7."}},
        started_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip
    return {"post": post, "target": target}


def _visit_all(page, base: str, paths: list[str]) -> list[str]:
    problems: list[str] = []
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(message.text[:300])

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(f"uncaught {e}"[:300]))
    for path in paths:
        errors.clear()
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            problems.append(f"{path}: HTTP {response.status if response else '?'}")
        report = page.evaluate(JS_OVERFLOW)
        if report["scrollWidth"] > report["innerWidth"]:
            problems.append(f"{path}: {report['scrollWidth']} px wide on a {report['innerWidth']} px phone; "
                            f"sticking out: {'; '.join(report['culprits']) or '?'}")  # fmt: skip
        problems += [f"{path}: console: {e}" for e in errors]
    return problems


def test_every_staff_and_portal_page_fits_a_phone_without_console_errors(browser, live_server, demo):
    ids = _ids()
    problems: list[str] = []

    staff, page = demo_staff_page(browser, live_server.url, PHONE)
    problems += _visit_all(page, live_server.url, staff_paths(ids))
    staff.close()

    client_side, page, portal = demo_portal_page(browser, live_server.url, PHONE)
    problems += [f"portal {p}" for p in _visit_all(page, portal, portal_paths(ids))]
    client_side.close()

    assert len(staff_paths(ids)) > 50 and len(portal_paths(ids)) >= 12  # every kind of page was found
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, PHONE])
def test_retry_stays_inside_the_card_beside_a_long_error(browser, live_server, demo, viewport):
    context, page = demo_staff_page(browser, live_server.url, viewport)
    page.goto(f"{live_server.url}/content/{demo['post'].pk}/")
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    card = page.locator(".card", has=retry)
    button, box = retry.bounding_box(), card.bounding_box()
    assert button["x"] + button["width"] <= box["x"] + box["width"], (button, box)
    assert button["x"] + button["width"] <= viewport["width"], (button, viewport)
    context.close()


@pytest.mark.parametrize(("viewport", "shown"), [({"width": 1440, "height": 900}, True), (PHONE, False)])
def test_the_hint_about_empty_days_shows_only_where_there_are_empty_days(browser, live_server, demo, viewport, shown):
    # A phone's month calendar is an agenda of the days that have something: no empty day to click.
    context, page = demo_staff_page(browser, live_server.url, viewport)
    page.goto(f"{live_server.url}/shoots/")
    hint = page.get_by_text("Click an empty part of a day")
    expect(hint).to_be_visible() if shown else expect(hint).to_be_hidden()
    context.close()
