"""The staff library pages: grid with filters, detail with renditions, focal point, edit, delete."""

from __future__ import annotations

import pytest

from publishing import selectors
from publishing.models import MediaAsset, MediaRendition
from publishing.services.media import edit as edit_services
from publishing.tests import media_files as mf
from publishing.tests.test_media_api import bulk_assets

pytestmark = pytest.mark.django_db


def test_the_library_lists_thumbnails_with_a_fixed_number_of_queries(
    client, viewer, client_a, django_assert_max_num_queries
):
    bulk_assets(client_a, 300)
    client.force_login(viewer)
    with django_assert_max_num_queries(12):
        response = client.get(f"/library/?client={client_a.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="media-tile') == 48 and "300 items" in html
    assert 'href="/library/' in html and "/library/files/media/thumbnail-" in html
    # Each tile shows its own thumbnail (tiles load only thumbnails, into a list), never another size.
    tiles = html.split('class="media-tile')[1:]
    ids = [tile.split('data-asset="')[1][:36] for tile in tiles]
    assert all(f"/library/files/media/thumbnail-{pk}.jpg" in tile for pk, tile in zip(ids, tiles, strict=True))
    assert "instagram_square-" not in html
    assert "data-uploader" not in html, "viewers cannot upload"


def test_the_nav_has_media_and_editors_get_the_uploader(client, editor, client_a):
    client.force_login(editor)
    html = client.get("/library/").content.decode()
    assert '<a href="/library/" aria-current="page">' in html and "Media" in html
    assert 'data-endpoint="/api/v1/media"' in html and "js/uploader.js" in html
    assert "No photos or videos yet" in html and "Landscaping" in html


def test_filters_narrow_the_grid_and_htmx_gets_only_the_grid(client, viewer, client_a, client_b):
    bulk_assets(client_a, 3)
    bulk_assets(client_b, 2)
    MediaAsset.objects.filter(client=client_b).update(kind="video")
    client.force_login(viewer)
    assert "5 items" in client.get("/library/").content.decode()
    assert "2 items" in client.get("/library/?kind=video").content.decode()
    assert "1 item" in client.get(f"/library/?client={client_a.pk}&q=photo-002").content.decode()
    empty = client.get("/library/?tag=nothing").content.decode()
    assert "Nothing matches these filters" in empty
    partial = client.get("/library/?kind=video", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="library-grid")
    assert "<html" not in partial.content.decode() and 'id="library-grid"' in partial.content.decode()


def test_the_detail_page_shows_renditions_and_moves_the_focal_point(
    client, editor, upload, sync_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("shop.jpg", mf.jpeg_bytes(mf.photo((1500, 1000))))).json()["items"][0]
    client.force_login(editor)
    html = client.get(f"/library/{item['id']}/").content.decode()
    for label in ("Instagram square", "Story / reel", "LinkedIn", "1600×900"):
        assert label in html
    assert "data-focal-picker" in html and "Click the photo to set the focal point" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/library/{item['id']}/focal-point", {"x": "0.25", "y": "0.75"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="renditions"' in response.content.decode()
    asset = MediaAsset.objects.get(pk=item["id"])
    assert asset.focal_point == (0.25, 0.75) and asset.status == "ready"


def test_editing_tags_and_folder_on_the_detail_page(client, editor, upload):
    item = upload(("shop.jpg", mf.jpeg_bytes())).json()["items"][0]
    client.force_login(editor)
    response = client.post(f"/library/{item['id']}/edit", {"tags": "Menu, Winter", "folder": "Menus", "campaign": ""},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and "menu, winter" in response.content.decode()
    asset = MediaAsset.objects.get(pk=item["id"])
    assert sorted(t.name for t in asset.tags.all()) == ["menu", "winter"] and asset.folder.name == "Menus"


def test_delete_from_the_page_and_its_refusal(client, editor, upload, monkeypatch, stored_files):
    item = upload(("shop.jpg", mf.jpeg_bytes())).json()["items"][0]
    client.force_login(editor)
    monkeypatch.setattr(edit_services, "media_blocking_uses", lambda asset: ["the post “Open day” (scheduled)"])
    page = client.get(f"/library/{item['id']}/").content.decode()
    assert "cannot be deleted while it is used by the post “Open day” (scheduled)" in page
    refused = client.post(f"/library/{item['id']}/delete", follow=True)
    assert "shop.jpg is used by the post “Open day” (scheduled)" in refused.content.decode()
    assert MediaAsset.objects.count() == 1
    monkeypatch.setattr(edit_services, "media_blocking_uses", lambda asset: [])
    response = client.post(f"/library/{item['id']}/delete", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/library/?client=")
    assert not MediaAsset.objects.exists()


def test_viewers_cannot_change_anything(client, viewer, upload):
    item = upload(("shop.jpg", mf.jpeg_bytes())).json()["items"][0]
    client.force_login(viewer)
    assert client.get(f"/library/{item['id']}/").status_code == 200
    assert client.post(f"/library/{item['id']}/delete").status_code == 403
    assert client.post(f"/library/{item['id']}/focal-point", {"x": 0.5, "y": 0.5}).status_code == 403
    assert MediaAsset.objects.count() == 1


def test_outsiders_get_403_and_strangers_sign_in(client, outsider):
    assert client.get("/library/").status_code == 302
    client.force_login(outsider)
    assert client.get("/library/").status_code == 403


def test_the_admin_lists_media_with_filters(client, owner, upload):
    upload(("shop.jpg", mf.jpeg_bytes()))
    client.force_login(owner)
    html = client.get("/admin/publishing/mediaasset/?kind__exact=image&q=shop").content.decode()
    assert "shop.jpg" in html and "By kind" in html
    assert client.get("/admin/publishing/mediatag/").status_code == 200
    assert client.get("/admin/publishing/mediafolder/").status_code == 200


def test_the_per_client_counts_are_kept_and_follow_adds_and_deletes(client_a, client_b):
    from publishing import selectors

    bulk_assets(client_a, 3)
    counts = lambda: {c.pk: c.media_count for c in selectors.media_clients()}  # noqa: E731
    assert counts()[client_a.pk] == 3 and counts()[client_b.pk] == 0  # the second from the cache
    asset = bulk_assets(client_b, 1)[0]  # written in bulk: no signal, the cache keeps the old count…
    assert counts()[client_b.pk] == 0
    asset.delete()  # …deleting (or adding) one asset drops the kept counts
    MediaAsset.objects.create(client=client_b, file="x.jpg", original_name="x.jpg", content_type="image/jpeg",
                              kind="image", bytes=1, sha256="1" * 64)  # fmt: skip
    assert counts()[client_b.pk] == 1


def test_the_client_options_are_the_bytes_format_html_wrote():
    """``{% client_options %}`` escapes with ``html.escape`` instead of ``format_html`` per option:
    the same bytes for names with every character HTML escapes, chosen or not, with counts or not."""
    import uuid
    from types import SimpleNamespace

    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    from publishing.templatetags.publishing_extras import client_options

    names = ["Plain", "Tom & Jerry's <Café>", 'Quote "Co"', "Ünïcode 🌱", "a&amp;b"]
    clients = [SimpleNamespace(pk=uuid.uuid4(), name=name, media_count=i * 7) for i, name in enumerate(names)]
    for selected in (None, clients[1], SimpleNamespace(pk=uuid.uuid4())):
        for counts in (False, True):
            chosen = getattr(selected, "pk", None)
            before = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (c.pk, mark_safe(" selected") if chosen is not None and c.pk == chosen else "",
                     f"{c.name} ({c.media_count})" if counts else c.name)
                    for c in clients
                ),
            )  # fmt: skip
            assert client_options(clients, selected, counts=counts) == before


# The tile's template before ``{% media_tile %}`` replaced it, as it was (its closing line break too).
OLD_TILE = """{% load ui media %}{% with thumb=asset|rendition:"thumbnail" %}
<a class="media-tile{% if asset.status == 'processing' and not thumb %} is-processing{% endif %}" href="{% url 'library-asset' asset.pk %}" id="tile-{{ asset.pk }}" data-asset="{{ asset.pk }}" title="{{ asset.original_name }}"
   {% if asset.status == 'processing' %}data-live="mediaasset:{{ asset.pk }}" data-live-poll="2" hx-get="{% url 'library-asset-tile' asset.pk %}" hx-trigger="live" hx-swap="outerHTML"{% endif %}>
  {% if thumb %}<img src="{{ thumb.file|signed_url }}" alt="{{ asset.original_name }}" loading="lazy" width="{{ thumb.width }}" height="{{ thumb.height }}">
  {% elif asset.status == 'processing' %}<span class="tile-placeholder"><span class="spinner" aria-hidden="true"></span><span>Making sizes…</span></span>
  {% else %}<span class="tile-placeholder">{% if asset.kind == 'video' %}{% icon "video" 32 %}<span>Video</span>{% else %}{% icon "image" 32 %}<span>No preview</span>{% endif %}</span>{% endif %}
  {% if asset.kind == 'video' %}<span class="kind">{% icon "play" 10 %} {{ asset.duration|duration }}</span>{% endif %}
  {% if asset.status == 'failed' %}<span class="kind kind-failed">Sizes failed</span>{% endif %}
  <span class="caption truncate">{{ asset.original_name }}</span>
</a>{% endwith %}
"""  # noqa: E501


def test_the_media_tile_tag_writes_what_the_tile_template_wrote(client_a):
    """Every state a tile shows (ready with a thumbnail, processing with and without one, failed,
    a video with and without its length), names with characters HTML escapes, and the library
    page, the client's media tab and the polled tile all using it."""
    from django.template import Context, Template
    from django.template.loader import render_to_string

    from publishing.templatetags.media import media_tile

    assets = bulk_assets(client_a, 8)
    MediaRendition.objects.filter(asset__in=assets[4:], preset="thumbnail").delete()
    states = [("ready", "image", None), ("processing", "image", None), ("failed", "video", 75.4),
              ("ready", "video", None), ("processing", "image", None), ("failed", "image", None),
              ("ready", "video", 3601), ("ready", "image", None)]  # fmt: skip
    for asset, (status, kind, seconds) in zip(assets, states, strict=True):
        MediaAsset.objects.filter(pk=asset.pk).update(
            status=status, kind=kind, duration=seconds, original_name=f'Tom & "Jerry\'s" <{status}>.jpg'
        )
    old = Template(OLD_TILE)
    for asset in selectors.media_assets(client=client_a, tiles_only=True):
        want = old.render(Context({"asset": asset}))
        assert media_tile(asset) == want
        assert render_to_string("publishing/partials/media_tile.html", {"asset": asset}) == want
