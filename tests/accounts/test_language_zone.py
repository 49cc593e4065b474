"""Issue 20: a member chooses their language, time zone and colour theme; the browser
gives the zone once when they have none; registering keeps the visitor's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from nominee.accounts import services
from nominee.accounts.models import User
from nominee.audit import AuditEvent

NOW = datetime(2026, 11, 30, 17, 45, tzinfo=UTC)


def csrf(page: str) -> str:
    """The page's CSRF token (the tests' app does not check them; production does)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""


def save(client, **data):
    page = client.get("/account/language").text
    fields = {"language": "", "time_zone": "", "theme": "", **data}
    return client.post("/account/language", data={"csrf_token": csrf(page), **fields})


@pytest.fixture
def member(make, auth):
    user = make.user(display_name="Marta")
    auth.login(user)
    return user


def test_the_settings_page_links_to_language_and_time(client, member):
    page = client.get("/account/profile").text
    assert 'href="/account/language"' in page
    page = client.get("/account/language").text
    assert '<option selected value="">' in page  # the browser's language until chosen
    assert '<option value="Europe/Madrid">' in page  # the zones, in a datalist
    assert 'list="time-zones"' in page


def test_choosing_spanish_shows_the_settings_in_spanish(client, member, db):
    assert "Language and time" in client.get("/account/language").text
    response = save(client, language="es", time_zone="Europe/Madrid", theme="dark")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Idioma y hora" in page
    assert "Se han guardado tus ajustes de idioma y hora." in page
    db.refresh(member)
    assert (member.language, member.time_zone, member.theme) == ("es", "Europe/Madrid", "dark")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "account.reading_updated"))
    assert event.after == {"language": "es", "time_zone": "Europe/Madrid", "theme": "dark"}


def test_an_unknown_zone_is_refused_next_to_the_field(client, member, db):
    response = save(client, language="es", time_zone="Mars/Olympus_Mons")
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="time_zone-error">([^<]*)</p>', response.text)
    assert error is not None
    assert "Mars/Olympus_Mons is not a time zone we know" in error.group(1)
    assert 'aria-invalid="true"' in response.text
    db.refresh(member)
    assert (member.language, member.time_zone) == ("", "")  # nothing saved, not even es


@pytest.mark.parametrize(
    ("field", "value"), [("language", "klingon"), ("theme", "neon"), ("time_zone", "x" * 65)]
)
def test_other_odd_choices_change_nothing(client, member, db, field, value):
    response = save(client, **{field: value})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    db.refresh(member)
    assert (member.language, member.time_zone, member.theme) == ("", "", "")


def test_times_show_in_the_member_s_zone_with_the_zone_named(client, member, freeze_clock):
    freeze_clock(NOW)
    assert "30 Nov 2026, 17:45 UTC" in client.get("/account/language").text  # programme's
    save(client, time_zone="Europe/Madrid")
    assert "30 Nov 2026, 18:45 CET" in client.get("/account/language").text
    save(client, time_zone="America/New_York")
    assert "30 Nov 2026, 12:45 EST" in client.get("/account/language").text
    save(client, language="es", time_zone="Asia/Tokyo")
    assert "1 dic 2026, 02:45 JST" in client.get("/account/language").text


def _browser_zone(client, zone: str):
    page = client.get("/").text
    if 'id="browser-zone"' not in page:
        return None
    return client.post("/account/time-zone", data={"csrf_token": csrf(page), "time_zone": zone})


def test_the_browser_zone_is_stored_once_and_never_over_a_choice(client, member, db):
    page = client.get("/").text
    assert (
        re.search(r'<script src="/static/js/zone\.(\w+\.)?js"', page)
        and "data-browser-zone" in page
    )
    assert _browser_zone(client, "Nowhere/Atlantis").status_code == 204
    db.refresh(member)
    assert member.time_zone == ""  # not a zone: nothing stored
    assert _browser_zone(client, "Europe/Madrid").status_code == 204
    db.refresh(member)
    assert member.time_zone == "Europe/Madrid"
    # Stored: the page no longer asks, and a late post changes nothing.
    assert 'id="browser-zone"' not in client.get("/").text
    assert "/static/js/zone." not in client.get("/").text
    page = client.get("/account/language").text
    response = client.post(
        "/account/time-zone", data={"csrf_token": csrf(page), "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 204
    db.refresh(member)
    assert member.time_zone == "Europe/Madrid"


def test_the_browser_zone_endpoint_wants_a_member(client, make, db):
    response = client.post("/account/time-zone", data={"time_zone": "Europe/Madrid"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    user = make.user(time_zone="")
    services.default_time_zone(db, user, "Europe/Madrid")
    assert user.time_zone == "Europe/Madrid"
    assert services.default_time_zone(db, user, "Asia/Tokyo") is False
    assert user.time_zone == "Europe/Madrid"


def test_registering_keeps_the_visitor_s_language_and_browser_zone(client, db):
    page = client.get("/register", headers={"Accept-Language": "es-ES,es;q=0.9"}).text
    assert 'name="time_zone"' in page and "data-browser-zone" in page
    assert "/static/js/zone." in page
    response = client.post(
        "/register",
        headers={"Accept-Language": "es-ES,es;q=0.9"},
        data={
            "csrf_token": csrf(page),
            "display_name": "Lucía",
            "email": "lucia@example.es",
            "password": "una frase bastante larga",
            "time_zone": "Europe/Madrid",
        },
    )
    assert response.status_code == 302
    lucia = db.scalar(select(User).where(User.email == "lucia@example.es"))
    assert (lucia.language, lucia.time_zone) == ("es", "Europe/Madrid")


def test_registering_without_javascript_keeps_the_programme_zone(client, db):
    response = client.post(
        "/register",
        headers={"Accept-Language": "en-GB"},
        data={"display_name": "Ada", "email": "ada@example.org", "password": "a long phrase here"},
    )
    assert response.status_code == 302
    ada = db.scalar(select(User).where(User.email == "ada@example.org"))
    assert (ada.language, ada.time_zone) == ("en", "")


def test_the_account_pages_speak_spanish_with_our_own_messages(client, db):
    spanish = {"Accept-Language": "es"}
    assert "¿Olvidaste tu contraseña?" in client.get("/login", headers=spanish).text
    response = client.post(
        "/register",
        headers=spanish,
        data={"display_name": "L", "email": "nope", "password": "short"},
    )
    assert response.status_code == 400
    page = response.text
    assert "Entre 2 y 80 caracteres." in page  # not "Field must be between 2 and 80..."
    assert "Escribe una dirección de correo, como nombre@example.org." in page
    assert "Entre 8 y 128 caracteres." in page
    assert "Field must be" not in page and "Invalid email address" not in page
    english = client.post("/register", data={"display_name": "", "email": "", "password": ""})
    assert "Fill this in." in english.text and "This field is required" not in english.text


def test_the_organizer_s_account_list_in_spanish(client, make, auth, db):
    organizer = make.organizer(language="es")
    make.reviewer(display_name="Rita")
    auth.login(organizer)
    page = client.get("/admin/accounts").text
    assert "Cuentas" in page and "Revisor/a" in page and "Cambiar rol" in page


def test_a_spanish_visitor_is_asked_to_log_in_in_spanish(client):
    spanish = {"Accept-Language": "es"}
    response = client.get("/account/language", headers=spanish)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=spanish).text
    assert "Inicia sesión para ver esa página." in page


def test_a_member_s_language_ends_with_their_request(app, make, auth, client):
    """The request's reader is kept in ``i18n``'s context variable for speed: it must not
    outlive the request, in this thread or for the next visitor."""
    from nominee import i18n

    spanish = make.user(display_name="Lucía", language="es", time_zone="Europe/Madrid")
    auth.login(spanish)
    assert "Idioma y hora" in client.get("/account/language").text
    assert i18n.current() == i18n.Reader("en", i18n.programme_time_zone())
    visitor = app.test_client()
    page = visitor.get("/login").text
    assert 'lang="en"' in page
    assert "Log in" in page
    # A block that reads as someone else inside a request gives the request's reader back.
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert i18n.gettext("Log in") == "Iniciar sesión"
        with i18n.reading("en"):
            assert i18n.gettext("Log in") == "Log in"
        assert i18n.gettext("Log in") == "Iniciar sesión"
    assert i18n.current().language == "en"
