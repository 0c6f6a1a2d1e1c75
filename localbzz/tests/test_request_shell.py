"""What every page pays before its kept fragment (issue 14): the session, the signed-in person, the
portal's client by host, its theme, the data version. On a hit none of them reads a row; each must
still show a change at once: a branding change, a person disabled or removed, a portal switched
off, a renamed subdomain, a sign-out."""

from __future__ import annotations

import pytest
from django.test import Client as Browser

from agency.models import Client, User
from localbzz import datacache
from portal.models import ClientUser
from portal.tests.conftest import host_of

STAFF = "agency.auth_backends.StaffBackend"


def _portal_person(shop: Client) -> ClientUser:
    from conftest import PASSWORD
    from portal.services.people import client_user_invite

    return client_user_invite(actor=None, client=shop, email=f"owner@{shop.slug}.example", first_name="Olive",
                              role="owner", password=PASSWORD, send_invite=False)  # fmt: skip


def _portal(slug: str, **fields) -> tuple[Client, ClientUser, Browser]:
    shop = Client.objects.create(name=f"Shop {slug}", slug=slug, **fields)
    person = _portal_person(shop)
    browser = Browser(HTTP_HOST=host_of(shop))
    browser.force_login(person.user, backend=STAFF)
    return shop, person, browser


def _kept(browser: Browser, path: str = "/") -> None:
    """Seen twice: the second view is served from what the first kept."""
    for _ in range(2):
        assert browser.get(path).status_code == 200, path


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_reads_no_row(owner, django_assert_num_queries):
    """Session (from the cache), person with level or membership and the portal's client (kept in
    the process under the data version): zero queries on a hit, staff, portal and API alike."""
    from rest_framework_simplejwt.tokens import AccessToken

    _shop, _person, portal = _portal("quiet-shop")
    staff = Browser()
    staff.force_login(owner, backend=STAFF)
    api = Browser(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(owner)}")
    cases = [(staff, "/"), (staff, "/content/?view=list"), (portal, "/"), (portal, "/posts/"), (portal, "/media/"),
             (api, "/api/v1/posts")]  # fmt: skip
    for browser, path in cases:
        assert browser.get(path).status_code == 200
    for browser, path in cases:
        with django_assert_num_queries(0):
            assert browser.get(path).status_code == 200, path


@pytest.mark.django_db(transaction=True)
def test_a_branding_change_shows_at_once():
    shop, _person, browser = _portal("brand-shop", brand_colors=["#0b5d3b"])
    for _ in range(2):  # the second is a hit
        assert "--brand: #0b5d3b" in browser.get("/").content.decode()
    shop.brand_colors = ["#7a1fa2"]
    shop.save()
    page = browser.get("/").content.decode()
    assert "--brand: #7a1fa2" in page and "#0b5d3b" not in page
    Client.objects.filter(pk=shop.pk).update(brand_colors=[])  # a raw update too
    assert "--brand:" not in browser.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_disabled_portal_person_is_refused_at_once():
    _shop, person, browser = _portal("door-shop")
    _kept(browser, "/posts/")
    User.objects.filter(pk=person.user_id).update(is_active=False)
    answer = browser.get("/posts/")
    assert answer.status_code == 302 and "/sign-in/" in answer["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_person_removed_from_the_portal_and_a_portal_switched_off_are_refused_at_once():
    shop, person, browser = _portal("gone-shop")
    other, _, other_browser = _portal("still-shop")
    _kept(browser)
    _kept(other_browser)
    ClientUser.objects.filter(pk=person.pk).delete()
    assert browser.get("/").status_code == 404, "no longer one of this client's people"
    assert other_browser.get("/").status_code == 200
    Client.objects.filter(pk=other.pk).update(portal_enabled=False)
    assert other_browser.get("/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_renamed_subdomain_stops_resolving_at_once():
    shop, _person, browser = _portal("old-name")
    _kept(browser)
    shop.slug = "new-name"
    shop.save()
    assert browser.get("/").status_code == 404, "the old address names no portal any more"
    assert browser.get("/", HTTP_HOST="new-name.localhost").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_disabled_persons_token_is_refused_at_once(owner):
    from rest_framework_simplejwt.tokens import AccessToken

    api = Browser(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(owner)}")
    _kept(api, "/api/v1/posts")
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert api.get("/api/v1/posts").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_signing_out_ends_the_session_kept_in_the_cache():
    _shop, _person, browser = _portal("leave-shop")
    cookie = browser.cookies["sessionid"].value
    assert browser.get("/").status_code == 200
    browser.post("/sign-out/")
    stale = Browser(HTTP_HOST="leave-shop.localhost")
    stale.cookies["sessionid"] = cookie
    assert stale.get("/").status_code == 302, "the old cookie no longer signs anyone in"


@pytest.mark.django_db(transaction=True)
def test_a_request_reads_the_data_versions_once_and_sees_its_own_writes(owner, monkeypatch):
    from django.core.cache import caches
    from django.core.signals import request_finished, request_started

    staff = Browser()
    staff.force_login(owner, backend=STAFF)
    staff.get("/")
    reads = []
    backend = caches["default"]  # this test's own cache (conftest)
    real_get_many = backend.get_many

    def get_many(keys, *args, **kwargs):
        reads.append([k for k in keys if k.startswith(datacache.VERSION_PREFIX)])
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", get_many)
    assert staff.get("/").status_code == 200  # the session, the person, the sidebar, the panels
    assert len(reads) == 1 and set(reads[0]) >= {datacache.VERSION_PREFIX + "agency_user"}, "one round trip"
    # Within one request: the versions are read once, and a write of this request moves its table on.
    reads.clear()
    request_started.send(sender=None)
    try:
        first = datacache.versions(["agency_lead", "agency_task"])
        assert datacache.versions(["agency_lead", "agency_task"]) == first and len(reads) == 1
        datacache.bump(["agency_lead"])
        again = datacache.versions(["agency_lead", "agency_task"])
        assert again == {"agency_lead": first["agency_lead"] + 1, "agency_task": first["agency_task"]}
        assert reads[1] == [datacache.VERSION_PREFIX + "agency_lead"], "only what it wrote is read again"
    finally:
        request_finished.send(sender=None)
    reads.clear()
    datacache.versions(["agency_lead"])
    datacache.versions(["agency_lead"])
    assert len(reads) == 2, "outside a request, every call reads"


@pytest.mark.django_db(transaction=True)
def test_a_kept_local_value_is_a_copy_each_time():
    shop = Client.objects.create(name="Copy Shop", slug="copy-shop")
    first = datacache.local("portal-client", ("copy-shop",), Client.objects.filter(slug="copy-shop").first)
    first.name = "Changed in a form, never saved"
    again = datacache.local("portal-client", ("copy-shop",), lambda: pytest.fail("kept: not built again"))
    assert again.name == "Copy Shop" and again.pk == shop.pk
    assert datacache.local("portal-client", ("nobody",), lambda: None) is None
    assert ("portal-client", "nobody") not in datacache._local, "an unknown host is not kept"


def test_the_theme_is_computed_once_per_set_of_colours():
    from localbzz import theme

    theme._theme.cache_clear()
    first = theme.portal_theme(["#0b5d3b", "#ffffff"])
    first["--brand"] = "#000000"  # a caller's change stays its own
    assert theme.portal_theme(["#0b5d3b", "#ffffff"])["--brand"] == "#0b5d3b"
    assert theme._theme.cache_info().hits == 1
    assert theme.portal_theme(["#7a1fa2"])["--brand"] == "#7a1fa2"


def test_static_urls_are_worked_out_once_and_a_missing_file_still_fails(tmp_path, settings, monkeypatch):
    import json

    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from localbzz.staticfiles import ManifestStaticStorage

    manifest = {"paths": {"css/app.css": "css/app.0123abcd.css"}, "version": "1.1", "hash": "0123"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = ManifestStaticStorage(location=tmp_path, base_url="/static/")
    calls = []
    real = CompressedManifestStaticFilesStorage.url
    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", lambda self, *a: calls.append(a) or real(self, *a))
    assert storage.url("css/app.css") == storage.url("css/app.css") == "/static/css/app.0123abcd.css"
    assert len(calls) == 1, "the second is kept"
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/gone.css")
