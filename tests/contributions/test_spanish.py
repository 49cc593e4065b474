"""Issue 20: a member who reads Spanish logs, lists and imports contributions in Spanish,
and an organizer's pages (imports, integrity, audit log) read in Spanish too."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from nominee.contributions.models import Contribution
from nominee.contributions.services import seed_contribution_types


@pytest.fixture
def ana(make, auth):
    user = make.user(language="es", display_name="Ana Ruiz")
    auth.login(user)
    return user


def saved(db) -> int:
    return db.scalar(select(func.count()).select_from(Contribution))


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no message next to {field}"
    return found.group(1)


def test_a_too_short_title_is_refused_in_spanish_next_to_the_field(client, make, ana, db):
    talk = make.contribution_type(name="Charla", roles=["Speaker"])
    category = make.category(name="Datos")
    response = client.post(
        "/contributions/new",
        data={
            "type_id": talk.id,
            "role": "Speaker",
            "title": "ab",
            "contributed_on": (date.today() - timedelta(days=2)).isoformat(),
            "primary_category_id": category.id,
            "quantity": "1",
            "visibility": "public",
        },
    )
    assert response.status_code == 400
    assert error_of(response.text, "title") == "El título debe tener de 3 a 200 caracteres."
    page = response.text
    assert "Registrar una contribución" in page  # the heading and the button
    assert "Título" in page and "Categoría principal" in page
    assert "Pública: cualquiera puede verla y respaldarla" in page
    assert "The title must be" not in page and "Field must be" not in page
    assert saved(db) == 0


def test_wtforms_defaults_are_replaced_by_our_own_messages(client, make, auth, db):
    auth.login(make.organizer(language="es"))
    response = client.post(
        "/admin/contribution-types/new", data={"name": "x", "weight": "", "position": "0"}
    )
    assert response.status_code == 400
    assert error_of(response.text, "name") == "El nombre debe tener de 2 a 80 caracteres."
    assert error_of(response.text, "weight") == "Introduce un peso."
    assert "Field must be" not in response.text and "This field is required" not in response.text


def test_my_contributions_in_spanish_with_a_spanish_date(client, make, ana):
    make.contribution(owner=ana, title="Índices para humanos", contributed_on=date(2026, 3, 5))
    page = client.get("/contributions/mine").text
    assert "<h1>Mis contribuciones</h1>" in page
    assert "Importar un archivo CSV" in page and "Borradores de feeds" in page
    spanish_date = format_date(date(2026, 3, 5), "medium", locale="es")
    assert spanish_date == "5 mar 2026"
    assert f'<time datetime="2026-03-05">{spanish_date}</time>' in page
    assert "0 respaldos" in page
    assert "5 Mar 2026" not in page and "<h1>My contributions</h1>" not in page


def test_my_contributions_empty_in_spanish(client, ana):
    page = client.get("/contributions/mine").text
    assert "Todavía no has registrado ninguna contribución." in page


def test_an_organizer_imports_for_members_in_spanish_with_spanish_row_problems(
    client, make, auth, db
):
    seed_contribution_types(db)
    make.category(name="Developer Tools", slug="developer-tools")
    organizer = make.organizer(language="es")
    make.user(email="nina@example.org")
    db.commit()
    auth.login(organizer)
    page = client.get("/admin/imports").text
    assert "<h1>Importar contribuciones para miembros</h1>" in page
    assert "Obligatorio. La dirección de correo del miembro al que pertenece" in page
    assert "Comprobar el archivo" in page
    text = (
        "email,type,title,date,category,role\n"
        "nina@example.org,Blog post,Indexes for humans,2024-05-01,Developer Tools,Author\n"
        "nobody@example.org,Blog post,B,2024-13-01,Developer Tools,Author\n"
    )
    response = client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(text.encode()), "grupo.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).text
    assert "Comprobar la importación de grupo.csv" in preview
    assert "2 filas leídas" in preview and "1 listas para importar" in preview
    assert "Correo: ningún miembro activo tiene la dirección “nobody@example.org”." in preview
    assert "Título: El título debe tener de 3 a 200 caracteres." in preview
    assert "Fecha: “2024-13-01” no es una fecha" in preview
    assert "rows read" not in preview
    assert saved(db) == 0


def test_the_integrity_page_in_spanish(client, make, auth):
    auth.login(make.organizer(language="es"))
    page = client.get("/admin/integrity/").text
    assert "<h1>Integridad de los respaldos</h1>" in page
    assert "Aún no se ha hecho ningún análisis." in page
    assert "Analizar ahora" in page and "No hay ningún miembro señalado." in page
    done = client.post("/admin/integrity/scan", follow_redirects=True).text
    assert "Hay un análisis en camino" in done or "Último análisis" in done


def test_the_audit_log_reads_in_spanish(client, make, auth):
    auth.login(make.organizer(language="es", display_name="Olga"))
    page = client.get("/admin/audit").text
    assert "<h1>Registro de auditoría</h1>" in page
    assert "Olga inició sesión." in page
    assert "Cualquier acción" in page and "Inicio de sesión fallido" in page
