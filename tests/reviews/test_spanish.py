"""The review and cycle pages in Spanish: a member who chose Spanish, or a visitor whose
browser asks for it, reads headings, form errors next to their field and dates in it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from nominee import i18n
from nominee.cycles.models import CycleStatus
from nominee.reviews.calibration import ReviewerFigures, agreement_text, leniency_text
from nominee.reviews.models import Review
from tests.cycles.test_views import form_data
from tests.reviews.conftest import CLOSED_ON, TODAY, audit_actions
from tests.reviews.test_conflicts import conflicted_nomination

SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}


def spanish_date(day) -> str:
    return format_date(day, "medium", locale="es")


def error_of(html: str, field: str) -> str:
    """The text of the error shown next to ``field`` (its ``<field>-error`` element)."""
    found = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field}"
    return found.group(1)


def test_a_reviewer_who_chose_spanish_reads_the_review_page_in_spanish(
    client, login, make, db, cycle, in_review, appointed
):
    me = appointed(language="es")
    nomination = in_review()
    make.assignment(nomination, me)
    login(me)
    url = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"

    page = client.get(url).text

    for heading in ("Declaraciones", "Evidencias", "Tu revisión", "El jurado"):
        assert f">{heading}</h2>" in page
    assert "<legend>Confianza</legend>" in page
    assert "4 Fuerte</label>" in page
    assert f"Un borrador se puede cambiar hasta el {spanish_date(cycle.review_close_on)};" in page
    assert "Guardar borrador" in page and "Enviar revisión" in page
    assert "Your review" not in page and "Statements" not in page

    scores = {f"score_{c.id}": 4 for c in cycle.criteria}
    refused = client.post(url, data={**scores, "recommendation": "award", "action": "submit"})

    assert refused.status_code == 400
    assert "Indica tu grado de confianza antes de enviar." in error_of(refused.text, "confidence")
    assert db.scalar(select(Review)) is None

    submit = {**scores, "recommendation": "award", "confidence": "high", "action": "submit"}
    assert client.post(url, data=submit).status_code == 302
    done = client.get(url).text
    assert "Tu revisión está enviada y es definitiva" in done
    assert re.search(rf"Enviada</span>\s*el {spanish_date(TODAY)}", done)


def test_the_dashboard_follows_the_browser_language(client, login, make, cycle, in_review):
    organizer = login(make.organizer())
    assert organizer.language in ("", None)
    in_review()

    page = client.get(f"/cycles/{cycle.id}/dashboard", headers=SPANISH).text

    assert "<h1>Panel de revisión" in page
    assert '<h2 id="progress-heading">Progreso</h2>' in page
    assert '<h2 id="queue-heading">Cola</h2>' in page
    assert f"las revisiones se cierran el {spanish_date(cycle.review_close_on)}" in page
    assert ">Orden de llegada</option>" in page
    assert "Ordenadas por orden de llegada, ascendente." in page
    assert "Todas las categorías" in page

    bad = client.get(f"/cycles/{cycle.id}/dashboard?min_score=99", headers=SPANISH).text
    assert "Una puntuación de 0 a 10." in error_of(bad, "min_score")

    english = client.get(f"/cycles/{cycle.id}/dashboard").text
    assert "<h1>Review dashboard" in english and "Panel de revisión" not in english


def test_a_member_who_chose_spanish_reads_the_cycle_page_in_spanish(client, login, make, cycle):
    login(make.user(language="es"))

    page = client.get(f"/cycles/{cycle.id}").text

    assert "En revisión</span></h1>" in page
    for heading in ("Fechas", "Categorías", "Rúbrica", "Nominaciones"):
        assert f"<h2>{heading}</h2>" in page
    opened = spanish_date(cycle.nominations_open_on)
    assert f"<dd>{opened} – {spanish_date(CLOSED_ON)} (UTC)</dd>" in page
    assert f"Las nominaciones se cerraron el {spanish_date(CLOSED_ON)}" in page
    assert "(12 meses)" in page
    assert "En los 14 días siguientes a la publicación" in page


def test_the_cycle_form_says_what_is_wrong_in_spanish(client, login, make):
    login(make.organizer(language="es"))
    category = make.category()

    new = client.get("/cycles/new").text
    assert "<h1>Nuevo ciclo de reconocimiento</h1>" in new
    assert "Orientación a la comunidad" in new  # the default rubric, offered in Spanish

    late = (TODAY - timedelta(days=3)).isoformat()
    refused = client.post(
        "/cycles/new",
        data=form_data([category], nominations_open_on="no es una fecha", name="Primavera"),
    )
    assert refused.status_code == 400
    assert "Escribe una fecha como AAAA-MM-DD." in error_of(refused.text, "nominations_open_on")

    backwards = client.post(
        "/cycles/new",
        data=form_data([category], nominations_close_on=late, lookback_months="0"),
    )
    assert "Las nominaciones deben cerrarse después de abrirse." in error_of(
        backwards.text, "nominations_close_on"
    )
    assert "Entre 1 y 60 meses." in error_of(backwards.text, "lookback_months")


def test_moving_a_cycle_is_asked_and_confirmed_in_spanish(client, login, make, cycle):
    login(make.organizer(language="es"))

    page = client.get(f"/cycles/{cycle.id}/status/{CycleStatus.DECIDED.value}").text

    assert "<h1>¿Pasar «" in page and "» a «decidido»?</h1>" in page
    assert "No hay vuelta atrás." in page


@pytest.mark.parametrize(
    ("leniency", "agreements", "comparable", "words"),
    [
        (-2.0, 1, 3, "Puntúa de media 2,0 puntos por debajo del jurado."),
        (1.0, 1, 1, "Puntúa de media 1,0 punto por encima del jurado."),
    ],
)
def test_calibration_words_in_spanish(leniency, agreements, comparable, words):
    figures = ReviewerFigures(1, 3, 3, 3.0, 1.0, leniency, 2, agreements, comparable, 0.5)
    with i18n.reading("es"):
        assert leniency_text(figures) == words
        assert agreement_text(figures).startswith(f"Coincide con el jurado en {agreements} de")
    assert leniency_text(figures).startswith("Scores ")


def test_conflicts_read_in_spanish_and_are_audited_in_english(
    client, login, make, db, cycle, in_review, appointed
):
    rita = appointed(display_name="Rita Reviewer")
    nomination = conflicted_nomination("nominator", make, db, in_review, rita)
    login(make.organizer(language="es"))

    board = client.get(f"/cycles/{cycle.id}/assignments").text
    assert "<h1>Asignaciones" in board
    assert "nominó al nominado" in board
    assert "Como máximo 0 de 3 revisores: hay 1 revisor designado para Developer Tools" in board

    url = f"/cycles/{cycle.id}/nominations/{nomination.id}/conflicts/{rita.id}/clear"
    assert "tiene un conflicto con esta nominación porque:" in client.get(url).text
    refused = client.post(url, data={"reason": "   "})
    assert refused.status_code == 400
    assert "Indica el motivo para anular este conflicto" in error_of(refused.text, "reason")

    assert client.post(url, data={"reason": "Una charla hace años."}).status_code == 302
    (event,) = audit_actions(db, "review.conflict_cleared")
    assert event.before["causes"] == ["nominated the nominee"]
