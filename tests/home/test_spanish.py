"""The home page and the error pages in Spanish: a member's choice, or a visitor's browser."""

from __future__ import annotations

from nominee.notifications.services import notify


def test_a_member_who_reads_spanish_gets_the_home_page_in_spanish(client, auth, make, db):
    member = make.user(language="es", display_name="Lucía")
    auth.login(member)
    page = client.get("/").text
    assert '<html lang="es">' in page
    assert "Hola, Lucía" in page
    assert "Registra lo que hiciste por la comunidad" in page
    assert "Mis contribuciones" in page and "Cerrar sesión" in page
    assert "Registrar una contribución" in page
    assert "Hello," not in page and "My contributions" not in page


def test_the_header_counts_unread_notifications_in_spanish(client, auth, make, db):
    member = make.user(language="es")
    notify(db, member.id, "endorsed", contribution_id=1, title="Intro a SQL", endorser="Ana")
    db.commit()
    auth.login(member)
    page = client.get("/").text
    assert "Notificaciones" in page
    assert '1<span class="visually-hidden"> sin leer</span>' in page


def test_a_visitor_whose_browser_asks_for_spanish_gets_the_welcome_in_spanish(client):
    page = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in page
    assert "Reconocimiento para las personas que trabajan por su comunidad" in page
    assert "Únete al programa" in page and "Iniciar sesión" in page
    assert "Cómo funciona" in page


def test_a_visitor_without_spanish_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "fr, en;q=0.5"}).text
    assert '<html lang="en">' in page
    assert "Recognition for people who work for their community" in page


def test_the_404_page_in_spanish(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert "Página no encontrada" in response.text
    assert "La página no existe o no tienes permiso para verla." in response.text
    assert "Volver a la página de inicio" in response.text
    assert "Page not found" not in response.text


def test_a_spanish_member_is_told_to_log_in_in_spanish(client, make):
    response = client.get("/notifications/", headers={"Accept-Language": "es"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "es"}).text
    assert "Inicia sesión para ver esa página." in page
