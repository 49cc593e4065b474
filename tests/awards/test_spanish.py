"""The organizers' decision pages, a decision's refusal and the revocation form in
Spanish, for an organizer who chose it."""

from __future__ import annotations

from sqlalchemy import select

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Nomination, NominationStatus


def spanish_organizer(make, db):
    organizer = make.organizer(display_name="Marta")
    organizer.language = "es"
    db.flush()
    return organizer


def test_decisions_and_decide_pages_in_spanish(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=2)
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    make.review(nomination, make.reviewer())
    auth.login(spanish_organizer(make, db))

    page = client.get(f"/cycles/{cycle.id}/decisions").text
    assert f"Decisiones: {cycle.name}" in page
    assert "<strong>0 de 1</strong> nominaciones en revisión decididas." in page
    assert "queda 1 nominación sin decidir" in page
    assert "Persona nominada" in page and "Sin decidir" in page and "Propia" in page

    page = client.get(f"/nominations/{nomination.id}/decide").text
    assert "Puntuaciones y revisiones" in page
    assert "Se ha enviado 1 de las 2 revisiones que pide este ciclo." in page
    assert "Conceder" in page and "Rechazar" in page  # the decision's choices

    refused = client.post(
        f"/nominations/{nomination.id}/decide",
        data={"decision": "", "rationale": "", "version": nomination.version},
    )
    assert refused.status_code == 400
    assert "Elige conceder o rechazar." in refused.text
    assert "Explica la decisión para el panel." in refused.text
    assert db.scalar(select(Nomination.decision).where(Nomination.id == nomination.id)) is None


def test_revoke_form_refuses_in_spanish(client, auth, make, db):
    award = make.award()
    auth.login(spanish_organizer(make, db))
    page = client.get(f"/awards/{award.verification_id}/revoke")
    assert page.status_code == 200
    assert "Revocar el reconocimiento" in page.text
    refused = client.post(f"/awards/{award.verification_id}/revoke", data={"reason": ""})
    assert refused.status_code == 400
    assert "Explica el motivo de la revocación." in refused.text
    assert "Confirma que quieres revocar este reconocimiento." in refused.text
