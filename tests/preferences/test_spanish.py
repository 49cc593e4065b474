"""The shell's other pages in Spanish: preferences, unsubscribing, the directory, search,
Discover and the categories, for a member who reads Spanish."""

from __future__ import annotations


def test_a_spanish_organizer_reads_these_pages_in_spanish(client, auth, make, db):
    organizer = make.organizer(language="es")
    make.category(name="Datos")
    auth.login(organizer)
    expected = {
        "/account/email-preferences": [
            "<h1>Preferencias de correo</h1>",
            "Alguien te nomina para un reconocimiento",
            "En un resumen diario",
            "Guardar preferencias",
        ],
        "/awardees": ["<h1>Galardonados</h1>", "Cualquier categoría", "0 reconocimientos"],
        "/search?q=zzzz": ["0 contribuciones encontradas para «zzzz»", "No se encontró nada."],
        "/discover": ["<h1>Descubrir</h1>", "No hay nada que descubrir: ya lo has visto todo."],
        "/admin/categories/": ["<h1>Categorías</h1>", "Nueva categoría", "Vigente"],
    }
    for url, texts in expected.items():
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        for text in texts:
            assert text in response.text, (url, text)


def test_an_unsubscribe_link_that_does_not_work_in_spanish(client):
    response = client.get("/unsubscribe/not-a-token", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert "Este enlace no funciona" in response.text
