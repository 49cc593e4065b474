"""Notifications in the reader's language: a row keeps its kind and parameters, and its
sentence is made when it is read, in the language of whoever reads it."""

from __future__ import annotations

from datetime import date

from nominee import i18n
from nominee.formatting import format_date
from nominee.notifications import kinds
from nominee.notifications.services import notify
from tests.factories import PASSWORD

NOMINATED = {"nomination_id": 4, "category": "Datos", "cycle": "Primavera 2026", "nominator": "Ana"}


def login(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def test_the_notification_list_in_spanish(app, make, db):
    member = make.user(language="es")
    notify(db, member.id, "nominated", **NOMINATED)
    notify(db, member.id, "endorsed", contribution_id=9, title="Intro a SQL", endorser="Luis")
    db.commit()
    client = login(app, member)
    page = client.get("/notifications/").text
    assert "<h1>Notificaciones</h1>" in page
    assert "Marcar todas como leídas" in page and "Marcar como leída" in page
    assert "Luis respaldó tu contribución «Intro a SQL»." in page
    assert (
        "Ana te nominó en Datos en Primavera 2026. "
        "Acéptala (y elige tus evidencias) o recházala." in page
    )
    assert "nominated you" not in page
    # Marking them all read says so in Spanish, with its plural.
    answer = client.post("/notifications/read-all", follow_redirects=True).text
    assert "2 notificaciones marcadas como leídas." in answer


def test_an_empty_list_in_spanish(app, make):
    page = login(app, make.user(language="es")).get("/notifications/").text
    assert "Aún no tienes notificaciones." in page


def test_one_row_reads_in_each_readers_language(app, make, db):
    """Written while its member read English; read again once they switch to Spanish."""
    member = make.user(language="en")
    notify(
        db,
        member.id,
        "reviews_due",
        cycle_id=3,
        cycle="Primavera 2026",
        count=2,
        due_on=date(2027, 1, 3),
    )
    db.commit()
    client = login(app, member)
    english = client.get("/notifications/").text
    assert "2 reviews due by 3 Jan 2027 in Primavera 2026." in english
    member.language = "es"
    db.commit()
    spanish = client.get("/notifications/").text
    with i18n.reading("es"):
        day = format_date(date(2027, 1, 3))
    assert f"2 revisiones pendientes hasta el {day} en Primavera 2026." in spanish
    assert "reviews due" not in spanish


def test_kinds_text_follows_the_current_reader_and_a_given_language():
    params = kinds.checked_params("nominated", NOMINATED)
    english = "Ana nominated you for Datos in Primavera 2026."
    assert kinds.text("nominated", params).startswith(english)
    with i18n.reading("es"):
        assert kinds.text("nominated", params).startswith("Ana te nominó en Datos")
        assert kinds.mail_subject("nominated", params) == "Ana te nominó en Datos"
        # A language asked for by name wins over the block's.
        assert kinds.text("nominated", params, language="en").startswith(english)
    assert kinds.text("nominated", params, language="es").startswith("Ana te nominó")
    # Plurals follow the count in each language.
    one = kinds.checked_params(
        "reviewer.assigned",
        {"cycle_id": 1, "cycle": "C", "count": 1, "review_close_on": date(2027, 1, 3)},
    )
    with i18n.reading("es"):
        assert kinds.text("reviewer.assigned", one).startswith("Se te asignó 1 nominación de C")


def test_every_kind_has_a_spanish_sentence_and_subject():
    """Each kind's sentence, subject and label are in the catalogue: none reads English."""
    samples = {
        "nominated": NOMINATED,
        "endorsed": {"contribution_id": 1, "title": "T", "endorser": "E"},
        "award.granted": {"award_id": 1, "verification_id": "v", "category": "D", "cycle": "C"},
    }
    for name, params in samples.items():
        with i18n.reading("en"):
            english = (kinds.text(name, params), kinds.mail_subject(name, params))
        with i18n.reading("es"):
            spanish = (kinds.text(name, params), kinds.mail_subject(name, params))
        assert spanish[0] != english[0] and spanish[1] != english[1]
    for kind in kinds.mailed():
        with i18n.reading("es"):
            assert i18n.gettext(kind.label) != kind.label, kind.name
