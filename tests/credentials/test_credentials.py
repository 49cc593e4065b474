"""Open Badges 3.0 credentials, Python side: what an award's credential holds, its proof
(and that any change breaks it), the revocation status list, 410 for a revoked award,
the DID document, and the verification the award page shows."""

from __future__ import annotations

import base64
import copy
import gzip
import io
import json
import re
from datetime import date, timedelta

from PIL import Image

from nominee.awards import baking
from nominee.credentials import proofs
from nominee.credentials import services as credentials
from nominee.credentials.models import IssuerKey
from nominee.credentials.proofs import LIST_BITS
from nominee.formatting import format_date
from tests.credentials.conftest import fetch_json, make_award, revoke
from tests.queries import count_queries

DID = "did:web:127.0.0.1%3A5000"


def _issuer(app) -> credentials.Issuer:
    return credentials.Issuer.from_config(app.config)


def _verify(app, db, credential, now=None) -> credentials.Verification:
    return credentials.verify(db, _issuer(app), credential, now)


def test_the_credential_is_an_open_badge_of_the_award(client, awarded):
    response = client.get(awarded.credential_url)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('-credential.json"')
    credential = response.get_json()
    award = awarded.award
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == DID
    assert credential["issuer"]["name"] == "Nominee"
    assert credential["issuer"]["image"]["id"].endswith("/static/img/badge.svg")
    assert credential["validFrom"] == f"{award.starts_on.isoformat()}T00:00:00Z"
    assert credential["validUntil"] == f"{award.ends_on.isoformat()}T23:59:59Z"
    subject = credential["credentialSubject"]
    assert subject["id"] == f"http://127.0.0.1:5000/members/{award.member_id}"
    achievement = subject["achievement"]
    assert achievement["name"] == f"{award.category.name} award"
    assert award.cycle.name in achievement["criteria"]["narrative"]
    assert achievement["image"]["type"] == "Image"
    assert [item["name"] for item in credential["evidence"]] == [awarded.public_title]
    assert awarded.private_title not in response.text
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == "http://127.0.0.1:5000/credentials/status/0"
    assert int(status["statusListIndex"]) == award.id % LIST_BITS
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith(f"{DID}#z6Mk")


def test_the_email_is_salted_and_hashed_never_shown(client, awarded):
    credential = fetch_json(client, awarded.credential_url)
    (identity,) = credential["credentialSubject"]["identifier"]
    email = awarded.award.member.email
    assert email not in str(credential)
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    salt = identity["salt"]
    assert len(salt) == 32
    import hashlib

    assert (
        identity["identityHash"] == "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
    )


def test_a_private_profile_is_not_linked(client, make, db):
    today = date.today()
    awarded = make_award(
        make, db, starts_on=today, ends_on=today + timedelta(days=10), profile_public=False
    )
    credential = fetch_json(client, awarded.credential_url)
    assert "id" not in credential["credentialSubject"]
    assert credential["credentialSubject"]["identifier"]


def test_the_same_award_gives_the_same_credential(client, awarded):
    assert client.get(awarded.credential_url).text == client.get(awarded.credential_url).text


def test_the_proof_verifies_and_any_change_breaks_it(app, db, client, awarded):
    credential = fetch_json(client, awarded.credential_url)
    result = _verify(app, db, credential)
    assert result.verified, result.message
    assert result.message.startswith("Signed by Nominee, valid until ")
    for path, value in [
        (("name",), "Data Platform award, 2030"),
        (("validUntil",), "2099-12-31T23:59:59Z"),
        (("credentialSubject", "achievement", "name"), "Another award"),
        (("credentialSubject", "identifier", 0, "identityHash"), "sha256$" + "0" * 64),
        (("credentialStatus", "statusListIndex"), "7"),
    ]:
        tampered = copy.deepcopy(credential)
        node = tampered
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        result = _verify(app, db, tampered)
        assert not result.verified
        assert result.reason == "invalid"
        assert "signature" in result.message


def test_one_byte_changed_in_the_text_breaks_it(app, db, client, awarded):
    import json

    text = client.get(awarded.credential_url).text
    at = text.index('"Ada Lovelace holds')  # the description
    changed = text[: at + 2] + "E" + text[at + 3 :]
    result = _verify(app, db, json.loads(changed))
    assert (result.verified, result.reason) == (False, "invalid")


def test_a_credential_of_another_issuer_or_key_fails(app, db, client, awarded):
    credential = fetch_json(client, awarded.credential_url)
    other = copy.deepcopy(credential)
    other["issuer"]["id"] = "did:web:example.org"
    assert "not issued by" in _verify(app, db, other).message
    key = proofs.private_key(proofs.new_key()[1])
    forged = proofs.sign(
        {k: v for k, v in credential.items() if k != "proof"},
        key,
        f"{DID}#{proofs.public_multibase(key)}",
        "2026-01-01T00:00:00Z",
    )
    result = _verify(app, db, forged)
    assert not result.verified and "does not publish" in result.message


def test_revoking_sets_the_status_bit_and_the_credential_is_gone(
    app, db, client, organizer, awarded
):
    credential = fetch_json(client, awarded.credential_url)
    index = int(credential["credentialStatus"]["statusListIndex"])
    before = fetch_json(client, "/credentials/status/0")
    assert _bit(before, index) is False
    revoke(organizer, awarded)

    after = fetch_json(client, "/credentials/status/0")
    assert _bit(after, index) is True
    assert after["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert after["issuer"] == DID
    proofs.check_proof(after, {after["proof"]["verificationMethod"]: _public_key(db)})

    result = _verify(app, db, credential)  # the copy downloaded before
    assert (result.verified, result.reason) == (False, "revoked")

    gone = client.get(awarded.credential_url)
    assert gone.status_code == 410
    db.refresh(awarded.award)
    revoked_on = awarded.award.revoked_at.date().isoformat()
    assert revoked_on in gone.get_json()["detail"]
    assert gone.get_json()["revoked_at"].startswith(revoked_on)

    page = client.get(awarded.page)
    assert page.status_code == 200
    assert "revoked" in page.text
    assert "Not verified. Revoked: the status list of Nominee marks it revoked." in _said(page.text)
    assert "Download credential (JSON)" not in page.text


def test_the_status_list_is_16_kb_gzip_base64url(client, awarded):
    client.get(awarded.credential_url)
    status = fetch_json(client, "/credentials/status/0")
    encoded = status["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    body = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert len(bits) == 16 * 1024
    assert status["credentialSubject"]["statusPurpose"] == "revocation"
    assert client.get("/credentials/status/99999999").status_code == 404


def test_an_expired_award_fails_for_that_reason(app, db, client, make):
    today = date.today()
    awarded = make_award(
        make, db, starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=35)
    )
    response = client.get(awarded.credential_url)
    assert response.status_code == 200  # still served: it fails by its validUntil
    result = _verify(app, db, response.get_json())
    assert (result.verified, result.reason) == (False, "expired")
    page = client.get(awarded.page).text
    assert f"Not verified. Expired on {format_date(awarded.award.ends_on)}." in _said(page)


def test_the_award_page_shows_the_verification(client, awarded):
    page = client.get(awarded.page).text
    assert "Verified:" in page
    assert f"Signed by Nominee, valid until {format_date(awarded.award.ends_on)}." in page
    assert f'href="{awarded.credential_url}"' in page
    assert "Download credential (JSON)" in page


def test_the_did_document_publishes_public_keys_only(client, db, awarded):
    client.get(awarded.credential_url)
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["id"] == DID
    (method,) = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert document["assertionMethod"] == [method["id"]]
    secret = db.query(IssuerKey).one().secret_key_multibase
    assert secret not in response.text
    for word in ("secret", "private", "publicKeyJwk", "z3u2"):
        assert word not in response.text


def test_rotation_keeps_the_old_key_so_old_credentials_verify(app, db, client, awarded):
    old = fetch_json(client, awarded.credential_url)
    credentials.rotate_key(db)
    db.flush()
    new = fetch_json(client, awarded.credential_url)
    assert new["proof"]["verificationMethod"] != old["proof"]["verificationMethod"]
    document = fetch_json(client, "/.well-known/did.json")
    assert len(document["assertionMethod"]) == 2
    assert old["proof"]["verificationMethod"] in document["assertionMethod"]
    assert _verify(app, db, old).verified
    assert _verify(app, db, new).verified


def test_the_document_loader_never_fetches():
    import pytest
    from pyld import jsonld

    with pytest.raises(jsonld.JsonLdError):
        proofs.document_loader("https://example.org/context.json")
    with pytest.raises(proofs.ProofError):
        proofs.canonicalize({"@context": ["https://example.org/context.json"], "name": "x"})


def test_the_credential_route_reads_a_bounded_number_of_rows(client, awarded, connection):
    client.get(awarded.credential_url)  # the status index and the key, once
    with count_queries(connection) as statements:
        assert client.get(awarded.credential_url).status_code == 200
    assert len(statements) <= 10


def _said(html: str) -> str:
    """The page's text, tags left out."""
    return re.sub(r"<[^>]+>", "", html)


def _bit(status_list: dict, index: int) -> bool:
    return proofs.bit_at(proofs.decode_list(status_list["credentialSubject"]["encodedList"]), index)


def _public_key(db) -> str:
    return db.query(IssuerKey).one().public_key_multibase


def test_the_award_page_reads_a_bounded_number_of_rows(client, awarded, connection):
    client.get(awarded.page)
    with count_queries(connection) as statements:
        assert client.get(awarded.page).status_code == 200
    assert len(statements) <= 10


def test_a_pasted_credential_is_verified(client, awarded, make, db):
    text = client.get(awarded.credential_url).text
    url = f"{awarded.page}/credential"
    assert "Verify a credential" in client.get(url).text
    page = client.post(url, data={"credential": text})
    assert page.status_code == 200
    assert "Verified:" in page.text and "It is the credential of this award." in page.text

    other = make_award(make, db, starts_on=date.today(), ends_on=date.today())
    page = client.post(f"{other.page}/credential", data={"credential": text})
    assert "Verified:" in page.text and "<strong>not</strong> the credential" in page.text

    tampered = text.replace('"Ada Lovelace holds', '"Eda Lovelace holds')
    page = client.post(url, data={"credential": tampered})
    assert "Not verified. The signature does not match the credential." in _said(page.text)


def test_pasted_nonsense_gets_a_message_not_a_crash(client, awarded):
    url = f"{awarded.page}/credential"
    for bad, status, message in [
        ("", 400, "Paste the credential"),
        ("{not json", 400, "This is not a JSON object"),
        ("[1, 2]", 400, "This is not a JSON object"),
        ("[" * 100_001, 400, "At most 100,000 characters"),
        ("[" * 100_000, 400, "This is not a JSON object"),
        ("[" * 50_000 + "]" * 50_000, 400, "This is not a JSON object"),
        (
            '{"@context": 5, "type": ["OpenBadgeCredential"]}',
            200,
            "Not verified. This is not an Open Badges",
        ),
        (
            '{"@context": ["https://www.w3.org/ns/credentials/v2",'
            ' "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",'
            ' "https://evil.example/ctx.json"], "type": ["OpenBadgeCredential"],'
            ' "issuer": "did:web:127.0.0.1%3A5000", "proof": {"type": "DataIntegrityProof",'
            ' "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",'
            ' "verificationMethod": "x", "proofValue": "z1"}}',
            200,
            "Not verified. The proof was made by a key this issuer does not publish.",
        ),
        ("\x00", 400, ""),  # the app refuses NUL bytes before the view
    ]:
        page = client.post(url, data={"credential": bad})
        assert page.status_code == status, bad[:40]
        assert message in _said(page.text), bad[:40]


def test_the_badge_image_carries_the_credential_baked_in(app, db, client, organizer, awarded):
    """Open Badges baking: the PNG from the award page holds the same signed credential
    (an iTXt chunk ``openbadgecredential``), which verifies; revoked, it is gone (410)."""
    page = client.get(awarded.page).text
    baked_url = f"{awarded.page}/credential.png"
    assert f'href="{baked_url}"' in page
    response = client.get(baked_url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].endswith('-badge.png"')
    inside = json.loads(baking.unbake(response.data))
    assert inside == fetch_json(client, awarded.credential_url)
    assert _verify(app, db, inside).verified
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (1200, 630)
    revoke(organizer, awarded)
    assert client.get(baked_url).status_code == 410
    assert baked_url not in client.get(awarded.page).text
