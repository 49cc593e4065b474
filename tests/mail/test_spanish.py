"""Mail in the recipient's language: rendered inside ``i18n.reading`` (as the jobs do)."""

from __future__ import annotations

from datetime import UTC, datetime

from nominee import i18n
from nominee.mail.account import messages_for
from nominee.mail.settings import MailSettings

SETTINGS = MailSettings(
    sender="Nominee <nominee@nominee.example>", base_url="https://nominee.example"
)


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_verification_email_in_spanish(make, db):
    sam = make.user(email="sam@example.org", display_name="Samuel", email_verified_at=None)
    payload = {
        "user_id": sam.id,
        "template": "verify_email",
        "params": {"link": "/verify/tok", "address": "sam@example.org"},
    }
    with i18n.reading("es"):
        (message,) = messages_for(SETTINGS, db, payload)
    assert message["Subject"] == "Confirma tu dirección de correo"
    text, html = parts(message)
    assert "Hola, Samuel:" in text
    assert "Confirma que esta es tu dirección para Nominee abriendo este enlace:" in text
    assert "https://nominee.example/verify/tok" in text
    assert "caduca en 3 días" in text
    assert "Please confirm" not in text and "Hello" not in text and "expires" not in text
    assert '<html lang="es">' in html
    assert "Confirmar mi dirección" in html
    assert "Si el botón no funciona, copia esta dirección en tu navegador:" in html
    assert 'href="https://nominee.example/verify/tok"' in html
    # Outside the block, the same mail is English again.
    (english,) = messages_for(SETTINGS, db, payload)
    assert english["Subject"] == "Confirm your email address"


def test_a_security_notice_in_spanish_has_its_date_in_spanish(make, db):
    ada = make.user(email="ada@example.org", display_name="Ada", time_zone="Europe/Madrid")
    payload = {
        "user_id": ada.id,
        "template": "security_notice",
        "params": {
            "change": "password",
            "changed_at": datetime(2026, 11, 30, 17, 45, tzinfo=UTC).isoformat(),
            "reset_link": "/password/forgot",
        },
    }
    with i18n.reading("es", "Europe/Madrid"):
        (message,) = messages_for(SETTINGS, db, payload)
    assert message["Subject"] == "Se cambió la contraseña de tu cuenta de Nominee"
    text, _ = parts(message)
    assert "El 30 nov 2026, 18:45 CET, se cambió la contraseña" in text
    assert "Recibes este mensaje porque afecta a la seguridad de tu cuenta" in text
