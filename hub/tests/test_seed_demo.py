from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from agency.models import TeamMember


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    counts = TeamMember.objects.count()
    call_command("seed_demo")
    assert TeamMember.objects.count() == counts
    assert "nothing new" in capsys.readouterr().out
    owner = TeamMember.objects.get(user__email="owner@localbzz.local")
    assert owner.access_level == "owner"
    assert owner.user.check_password("localbzz-demo")


@pytest.mark.django_db
def test_welcome_prints_urls_and_logins(capsys, settings):
    settings.DEBUG, settings.APP_HOST, settings.PORTAL_SCHEME = True, "localhost:8000", "http"  # as make run
    call_command("welcome")
    out = capsys.readouterr().out
    assert "http://localhost:8000/api/docs/" in out
    assert "http://joes-landscaping.localhost:8000/" in out
    assert "owner@localbzz.local" in out and "localbzz-demo" in out


@pytest.mark.django_db
def test_the_demo_clients_sign_in_to_their_portals(capsys):
    from django.test import Client as HttpClient

    call_command("seed_demo")
    call_command("welcome")
    out = capsys.readouterr().out
    assert "joe@joes-landscaping.example" in out and "bella@bella-bakery.example" in out
    for host, email in [("joes-landscaping.localhost", "joe@joes-landscaping.example"),
                        ("bella-bakery.localhost", "bella@bella-bakery.example")]:  # fmt: skip
        browser = HttpClient(HTTP_HOST=host)
        response = browser.post("/sign-in/", {"identifier": email, "password": "localbzz-demo"})
        assert response.status_code == 302, host
        assert browser.get("/").status_code == 200
    # Bella approves her posts too: one waits for her.
    bella = HttpClient(HTTP_HOST="bella-bakery.localhost")
    bella.post("/sign-in/", {"identifier": "Bella Bakery", "password": "localbzz-demo"})
    assert "lemon-poppyseed" in bella.get("/approvals/").content.decode()


@pytest.mark.django_db
def test_the_demo_data_agrees_with_itself():
    from agency.models import Client, Shoot
    from agency.services.shoots import crew_clashes
    from portal.models import ClientUser
    from publishing.models import Post

    call_command("seed_demo")
    # Each client's shoots are its own kind of work.
    bella_shoots = set(Shoot.objects.filter(client__slug="bella-bakery").values_list("title", flat=True))
    assert not {t for t in bella_shoots if "ackyard" in t or "garden" in t.lower()}, bella_shoots
    # No one of the crew is booked twice.
    for shoot in Shoot.objects.filter(status__in=Shoot.ACTIVE).prefetch_related("crew"):
        assert not crew_clashes(start=shoot.start, end=shoot.end, crew=list(shoot.crew.all()), exclude=shoot), shoot
    # Each post shows the photo its caption talks about.
    shown = {p.caption: [pm.asset.original_name for pm in p.post_media.all()] for p in Post.objects.all()}
    assert shown["New this week: mint cupcakes for spring! Which flavour next?"] == ["mint-cupcakes.jpg"]
    assert next(v for k, v in shown.items() if k.startswith("Fresh sourdough")) == ["fresh-loaves.jpg"]
    assert next(v for k, v in shown.items() if k.startswith("Our lemon-poppyseed loaf")) == ["fresh-loaves.jpg"]
    # The portal's people are the CRM's contacts, by the same name.
    for client in Client.objects.filter(slug__in=["joes-landscaping", "bella-bakery"]):
        owner = ClientUser.objects.get(client=client, role="owner").user
        assert owner.display_name == client.primary_contact_name, client


@pytest.mark.django_db
def test_seed_demo_books_no_one_twice_while_chicago_is_a_day_ahead_of_portland():
    from agency.models import Shoot
    from agency.services.shoots import crew_clashes

    # 00:50 in Chicago (Joe's) is 22:50 the day before in Portland (Bella's); each client's own
    # "today" put Joe's crew shoot and Bella's next-day bake on the same morning (CrewDoubleBooked).
    with time_machine.travel(datetime(2027, 3, 14, 6, 50, tzinfo=UTC), tick=False):
        call_command("seed_demo")
    for shoot in Shoot.objects.filter(status__in=Shoot.ACTIVE).prefetch_related("crew"):
        assert not crew_clashes(start=shoot.start, end=shoot.end, crew=list(shoot.crew.all()), exclude=shoot), shoot


@pytest.mark.django_db
def test_seed_demo_counts_in_words_with_the_right_number(capsys):
    from hub.management.commands import seed_demo

    assert seed_demo.summary({"posts": 1, "posts waiting for a client": 1, "team members": 2}) == (
        "1 post, 1 post waiting for a client, 2 team members"
    )
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "1 post waiting for a client" in out and "1 posts" not in out
