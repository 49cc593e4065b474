"""Nominations, decisions and awards read in Spanish: a member who chose it, or a visitor
whose browser asks for it, sees the pages, the form errors and the dates in Spanish."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nominee import clock, i18n
from nominee.appeals import rules
from nominee.cycles.models import CycleStatus
from nominee.formatting import format_date
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from tests.factories import PASSWORD

SPANISH = {"Accept-Language": "es"}
CLOSE = date(2099, 1, 15)  # "15 ene 2099"


def login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def spanish_member(make, db):
    member = make.user(display_name="Lucía")
    member.language = "es"
    db.flush()
    return member


def test_nomination_page_in_spanish(app, make, db, spanish_member):
    cycle = make.cycle(nominations_close_on=CLOSE, review_close_on=CLOSE + timedelta(days=30))
    peer = make.user(display_name="Tomás")
    nomination = make.nomination(
        cycle,
        spanish_member,
        kind=NominationKind.PEER,
        nominator=peer,
        status=NominationStatus.AWAITING_ACCEPTANCE,
    )
    page = login(app, spanish_member).get(f"/nominations/{nomination.id}")
    assert page.status_code == 200
    text = page.text
    assert "Pendiente de aceptación" in text
    assert "Nominado/a por" in text and "Categoría" in text
    assert "La persona nominada elige las pruebas al aceptar." in text
    assert "Historial" in text
    # The actions: accept and decline, in Spanish (with their hidden context).
    assert f"la nominación en {cycle.categories[0].name}" in text
    assert "Awaiting acceptance" not in text and "Nominated by" not in text


def test_accept_page_shows_the_window_with_spanish_dates(app, make, db, spanish_member):
    cycle = make.cycle(
        nominations_close_on=CLOSE,
        review_close_on=CLOSE + timedelta(days=30),
        min_evidence=1,
        max_evidence=3,
    )
    nomination = make.nomination(
        cycle, spanish_member, kind=NominationKind.PEER, status=NominationStatus.AWAITING_ACCEPTANCE
    )
    page = login(app, spanish_member).get(f"/nominations/{nomination.id}/accept")
    assert page.status_code == 200
    assert "Evidencias" in page.text
    assert "al 15 ene 2099." in page.text  # the evidence window's last day, in Spanish
    assert "Aceptar y enviar" in page.text


def test_nominate_form_with_a_bad_statement_answers_in_spanish(app, make, db, spanish_member):
    cycle = make.cycle(nominations_close_on=CLOSE, review_close_on=CLOSE + timedelta(days=30))
    peer = make.user(display_name="Tomás")
    client = login(app, spanish_member)

    chooser = client.get(f"/cycles/{cycle.id}/nominate")
    assert chooser.status_code == 200
    assert "Las nominaciones se cierran el 15 ene 2099 (UTC)." in chooser.text
    assert "Nominarme" in chooser.text and "Al menos dos letras de su nombre" in chooser.text

    response = client.post(
        f"/cycles/{cycle.id}/nominate",
        data={
            "nominee_id": peer.id,
            "category_id": cycle.categories[0].id,
            "statement_md": "Muy corta.",
        },
    )
    assert response.status_code == 400
    error = response.text.split('id="statement_md-error">', 1)[1].split("</p>", 1)[0]
    assert error == "Escribe entre 100 y 3.000 caracteres."
    assert "Declaración" in response.text  # the field's label
    assert "Nominar a Tomás en" in response.text
    assert "Field must be" not in response.text and "Write between" not in response.text


def test_a_service_refusal_is_in_spanish_next_to_its_field(app, make, db, spanish_member):
    cycle = make.cycle(
        nominations_close_on=CLOSE, review_close_on=CLOSE + timedelta(days=30), min_evidence=2
    )
    client = login(app, spanish_member)
    response = client.post(
        f"/cycles/{cycle.id}/nominate",
        data={
            "nominee_id": spanish_member.id,
            "category_id": cycle.categories[0].id,
            "statement_md": "Respondí cientos de preguntas y organicé el grupo de usuarios. " * 3,
        },
    )
    assert response.status_code == 400
    assert "Elige al menos 2 contribuciones como pruebas." in response.text


def test_award_page_in_spanish_for_a_visitor(app, make, db):
    award = make.award(starts_on=date(2026, 1, 1), ends_on=date(2099, 12, 31))
    page = app.test_client().get(f"/awards/{award.verification_id}", headers=SPANISH)
    assert page.status_code == 200
    text = page.text
    assert "Verificación del reconocimiento" in text
    assert "Titular" in text and "Vigencia" in text
    assert "del 1 ene 2026 al 31 dic 2099" in text.lower()
    assert "Este reconocimiento es válido hasta el 31 dic 2099." in text
    assert "Verificada:" in text and "Firmada por" in text  # the credential checked
    assert "Comparte este reconocimiento" in text
    assert "Award verification" not in text and "This award is valid" not in text


def test_award_page_in_english_by_default(app, make, db):
    award = make.award(starts_on=date(2026, 1, 1), ends_on=date(2099, 12, 31))
    page = app.test_client().get(f"/awards/{award.verification_id}")
    assert "This award is valid until 31 Dec 2099." in page.text
    assert "Award verification" in page.text


def test_decided_nomination_and_appeal_offer_in_spanish(app, make, db, spanish_member):
    cycle = make.cycle(status=CycleStatus.PUBLISHED, appeal_days=3650, published_at=clock.now())
    nomination = make.nomination(
        cycle, spanish_member, status=NominationStatus.DECLINED, decision=Decision.DECLINE
    )
    page = login(app, spanish_member).get(f"/nominations/{nomination.id}")
    assert page.status_code == 200
    assert "No galardonada esta vez" in page.text
    assert "Rechazada" in page.text
    assert "Apelar esta decisión" in page.text
    with i18n.reading("es"):
        last_day = format_date(rules.last_day(cycle))
    assert f"Una vez, hasta el {last_day}." in page.text
