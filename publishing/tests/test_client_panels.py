"""The Posts, Media and Social accounts tabs of a client's page: htmx panels of the client's own
items, paginated, with links to the full pages filtered by the client."""

from __future__ import annotations

import pytest

from publishing.services import posts as post_services
from publishing.tests.posting import accounts_for
from publishing.tests.test_media_api import bulk_assets

pytestmark = pytest.mark.django_db


def test_it_shows_the_tabs_with_counts_and_loads_the_panel_with_htmx(client, viewer, owner, client_a):
    accounts = accounts_for(client_a, owner, platforms=("facebook", "instagram"))
    post_services.post_create(actor=owner, client=client_a, caption="Spring lawns", accounts=list(accounts.values()))
    client.force_login(viewer)
    page = client.get(f"/clients/{client_a.pk}/posts/").content.decode()
    assert f'href="/clients/{client_a.pk}/posts/" aria-current="page">Posts<span class="count">1</span>' in page
    assert f'href="/clients/{client_a.pk}/media/">Media</a>' in page
    assert f'href="/clients/{client_a.pk}/accounts/">Social accounts<span class="count">2</span>' in page
    assert f'hx-get="/clients/{client_a.pk}/panels/posts/" hx-trigger="load"' in page


def test_the_posts_panel_shows_only_this_clients_posts_a_page_at_a_time(
    client, viewer, owner, client_a, client_b, django_assert_max_num_queries
):
    mine = accounts_for(client_a, owner, platforms=("facebook",))["facebook"]
    theirs = accounts_for(client_b, owner, platforms=("facebook",))["facebook"]
    for n in range(12):
        post_services.post_create(actor=owner, client=client_a, caption=f"Lawn tip {n:02d}", accounts=[mine])
    post_services.post_create(actor=owner, client=client_b, caption="Sourdough", accounts=[theirs])
    client.force_login(viewer)
    with django_assert_max_num_queries(12):
        html = client.get(f"/clients/{client_a.pk}/panels/posts/").content.decode()
    assert html.count("Lawn tip") == 10 and "Sourdough" not in html
    assert "1–10 of 12" in html
    assert f'hx-get="/clients/{client_a.pk}/panels/posts/?page=2"' in html  # the panel's own URL, not the page's
    assert f'href="/content/?view=list&amp;client_id={client_a.pk}"' in html
    assert f'href="/content/new/?client={client_a.pk}"' in html
    second = client.get(f"/clients/{client_a.pk}/panels/posts/?page=2").content.decode()
    assert second.count("Lawn tip") == 2 and "11–12 of 12" in second


def test_the_media_and_accounts_panels(client, viewer, owner, client_a, client_b):
    bulk_assets(client_a, 30)
    bulk_assets(client_b, 2)
    accounts_for(client_a, owner, platforms=("facebook", "linkedin"))
    accounts_for(client_b, owner, platforms=("x",))
    client.force_login(viewer)
    media = client.get(f"/clients/{client_a.pk}/panels/media/").content.decode()
    assert media.count('class="media-tile') == 24 and "1–24 of 30" in media
    assert f'hx-get="/clients/{client_a.pk}/panels/media/?page=2"' in media
    assert f'href="/library/?client={client_a.pk}"' in media
    accounts = client.get(f"/clients/{client_a.pk}/panels/accounts/").content.decode()
    assert "Facebook" in accounts and "LinkedIn" in accounts and ">X<" not in accounts
    assert f'href="/social-accounts/?client_id={client_a.pk}"' in accounts
    assert "Verify" not in accounts  # actions live on the accounts page


def test_empty_panels_say_what_comes_there(client, viewer, client_a):
    client.force_login(viewer)
    assert "No posts for Joe" in client.get(f"/clients/{client_a.pk}/panels/posts/").content.decode()
    assert "No photos or videos yet" in client.get(f"/clients/{client_a.pk}/panels/media/").content.decode()
    assert "No accounts yet" in client.get(f"/clients/{client_a.pk}/panels/accounts/").content.decode()


def test_panels_are_for_staff_only(client, outsider, client_a):
    assert client.get(f"/clients/{client_a.pk}/panels/posts/").status_code == 302  # to sign in
    client.force_login(outsider)
    assert client.get(f"/clients/{client_a.pk}/panels/media/").status_code == 403
