"""CSV: every staff list exports; clients import with a dry-run preview, all rows or none."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.models import Client
from agency.tests import factories

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    "url, expected_column",
    [
        ("/clients/?format=csv", "primary_contact_email"),
        ("/shoots/?view=list&format=csv", "crew"),
        ("/deliverables/?format=csv", "overdue"),
        ("/tasks/?format=csv", "tracked_minutes"),
        ("/leads/?format=csv", "business_name"),
        ("/requests/?format=csv", "topic"),
        ("/campaigns/export/", "goal"),
    ],
)
def test_every_list_exports_csv(client, viewer, url, expected_column):
    c = factories.client(name="Exported Co")
    factories.shoot(client_=c)
    factories.deliverable(client_=c)
    factories.task(client=c)
    client.force_login(viewer)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    assert expected_column in next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_respects_the_filters(client, viewer):
    factories.client(name="Keep Me", status="Pitching")
    factories.client(name="Drop Me", status="Active")
    client.force_login(viewer)
    rows = _rows(client.get("/clients/?format=csv&status=Pitching"))
    assert [r["name"] for r in rows] == ["Keep Me"]


def test_formulas_are_neutralised_in_exports(client, viewer):
    factories.client(name='=HYPERLINK("http://evil")')
    client.force_login(viewer)
    assert _rows(client.get("/clients/?format=csv"))[0]["name"].startswith("'=")


def _upload(client, text: str):
    return client.post("/clients/import/", {"file": SimpleUploadedFile("c.csv", text.encode(), "text/csv")})


def test_import_preview_shows_row_errors_and_writes_nothing(client, admin_user):
    factories.client(slug="taken")
    client.force_login(admin_user)
    text = (
        "name,slug,timezone,primary_contact_email\n"
        "Good Co,,America/Chicago,a@b.example\n,,,\nBad Zone,,Nowhere/Land,\nDup,taken,,\n"
    )
    html = _upload(client, text).content.decode()
    assert "3 rows with errors" in html
    assert "name: a business name is required." in html
    assert "“Nowhere/Land” is not a known time zone" in html
    assert "Nothing has been imported" in html
    assert Client.objects.count() == 1
    # Even confirming a bad file writes nothing.
    client.post("/clients/import/", {"csv_text": text, "confirm": "1"})
    assert Client.objects.count() == 1


def test_a_valid_file_previews_then_imports_all_rows(client, admin_user):
    client.force_login(admin_user)
    text = "name,industry,monthly_post_limit\nAlpha Bakes,bakery,10\nBeta Builds,construction,\n"
    preview = _upload(client, text).content.decode()
    assert "2 rows ready" in preview and "alpha-bakes" in preview
    assert not Client.objects.exists()
    done = client.post("/clients/import/", {"csv_text": text, "confirm": "1"})
    assert done.status_code == 302
    assert sorted(Client.objects.values_list("slug", "monthly_post_limit")) == [("alpha-bakes", 10), ("beta-builds", 8)]


def test_unknown_columns_block_the_import(client, admin_user):
    client.force_login(admin_user)
    html = _upload(client, "name,favourite_colour\nX,blue\n").content.decode()
    assert "Columns we do not know: favourite_colour" in html


def test_editors_cannot_import(client, editor):
    client.force_login(editor)
    assert client.get("/clients/import/").status_code == 403


def test_a_duplicate_name_is_refused_with_its_line_not_renamed(client, admin_user):
    factories.client(name="Bella Bakery", slug="bella-bakery")
    client.force_login(admin_user)
    text = "name,slug\nBella Bakery,\nNew Co,\nnew co,\nBella Bakery,bella-bakery-pearl\n"
    html = _upload(client, text).content.decode()
    assert "“Bella Bakery” is already a client (portal address bella-bakery)" in html
    assert "“new co” is also on line 3." in html
    assert "bella-bakery-2" not in html and "2 rows with errors" in html
    client.post("/clients/import/", {"csv_text": text, "confirm": "1"})
    assert Client.objects.count() == 1
    # Without the duplicates, a second "Bella Bakery" with its own portal address is an explicit choice.
    ok = "name,slug\nBella Bakery,bella-bakery-pearl\nNew Co,\n"
    assert client.post("/clients/import/", {"csv_text": ok, "confirm": "1"}).status_code == 302
    assert sorted(Client.objects.values_list("slug", flat=True)) == ["bella-bakery", "bella-bakery-pearl", "new-co"]


def test_the_bulk_post_help_is_about_posts_with_an_example_in_the_future(client, owner):
    from datetime import date

    factories.client(name="Joe's Landscaping", slug="joes-landscaping", timezone="America/Chicago")
    client.force_login(owner)
    html = client.get("/content/bulk/").content.decode()
    assert "Only &#x27;name&#x27; is required" not in html and "Only 'name' is required" not in html
    assert "Required columns: client, platforms, scheduled_at, caption." in html
    example = html.split('<pre class="mono sample-block">')[1].split("</pre>")[0].splitlines()[1]
    assert example.startswith("joes-landscaping,")
    assert date.fromisoformat(example.split(",")[2][:10]) > date.today()
    assert "Only &#x27;name&#x27; is required." in client.get("/clients/import/").content.decode()
