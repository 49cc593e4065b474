"""Open Badges 3.0 credentials of the awards: issued, signed, revoked and verified.

Each award of a published cycle is an ``OpenBadgeCredential`` (Verifiable Credentials
Data Model 2.0), built from the database when asked and signed with the issuer's
Ed25519 key (an ``eddsa-rdfc-2022`` Data Integrity proof, ``proofs``). The same award
gives the same credential, byte for byte, as long as nothing in it changed: its salt,
``created`` time and signature are all derived, not drawn.

Revocation is a Bitstring Status List credential per 131,072 awards
(``/credentials/status/<n>``), built from the awards' statuses when asked: an award's
revocation sets its bit at once. An expired award keeps its bit clear; its credential
fails verification by its ``validUntil``.

``verify`` checks a credential as an outside verifier would, from the credential
itself: the proof against the published keys, the status bit in the (verified) status
list, then the validity dates. The award page shows its result.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import parseaddr
from typing import Any

from sqlalchemy.orm import Session

from nominee import audit, clock
from nominee.accounts.models import User
from nominee.awards.models import Award, AwardStatus
from nominee.credentials import proofs, queries
from nominee.credentials.models import IssuerKey
from nominee.credentials.proofs import LIST_BITS, ProofError
from nominee.errors import DomainError, NotFound
from nominee.formatting import format_date
from nominee.i18n import _
from nominee.mail.settings import DEFAULT_BASE_URL

STATUS_PATH = "/credentials/status/"
MAX_LIST_NUMBER = 1_000_000


@dataclass(frozen=True)
class Issuer:
    """The programme as issuer, from the settings (``nominee.config``: ``BASE_URL`` and
    ``ISSUER_*``). ``salt_secret`` (the app's secret key) derives each award's salt."""

    base_url: str
    name: str
    url: str
    image: str
    email: str
    salt_secret: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Issuer:
        """The issuer the settings describe (``ISSUER_*``, ``BASE_URL``, ``MAIL_FROM``,
        ``SECRET_KEY``), with the documented defaults."""
        base_url = str(config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        sender = parseaddr(str(config.get("MAIL_FROM") or ""))[1]
        return cls(
            base_url=base_url,
            name=str(config.get("PROGRAMME_NAME") or "Nominee"),
            url=str(config.get("ISSUER_URL") or base_url),
            image=str(config.get("ISSUER_IMAGE") or f"{base_url}/static/img/badge.svg"),
            email=str(config.get("ISSUER_EMAIL") or sender or "nominee@localhost"),
            salt_secret=str(config.get("SECRET_KEY") or ""),
        )

    @property
    def root(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def did(self) -> str:
        return proofs.did_web(self.base_url)

    def status_list_url(self, number: int) -> str:
        return f"{self.root}{STATUS_PATH}{number}"

    def method_id(self, key: IssuerKey) -> str:
        return f"{self.did}#{key.public_key_multibase}"

    def profile(self) -> dict[str, Any]:
        return {
            "id": self.did,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
            "image": {"id": self.image, "type": "Image", "caption": f"{self.name} logo"},
            "email": self.email,
        }


# The issuer's key


_KEYS = "nominee.issuer_keys"


def _keys(session: Session) -> Sequence[IssuerKey]:
    """The issuer's keys, read once per session (a request signs and verifies with them
    several times)."""
    keys: Sequence[IssuerKey] | None = session.info.get(_KEYS)
    if keys is None:
        keys = session.info[_KEYS] = queries.issuer_keys(session)
    return keys


def ensure_key(session: Session) -> IssuerKey:
    """The key that signs: made once, the first time one is needed, and kept in the
    database so that every host signs with it. Two hosts making one at the same moment
    make two: both are published and both verify; the newer signs from then on."""
    current = queries.signing_key(_keys(session))
    if current is not None:
        return current
    return _new_key(session)


def _new_key(session: Session) -> IssuerKey:
    public, secret = proofs.new_key()
    key = IssuerKey(public_key_multibase=public, secret_key_multibase=secret)
    session.add(key)
    session.flush()
    session.info.pop(_KEYS, None)
    return key


def rotate_key(session: Session, actor: User | None = None) -> IssuerKey:
    """Retire the signing key and make a new one. The retired public keys stay in the
    DID document, so every credential signed before still verifies; credentials are
    signed with the new key from now on."""
    now = clock.now()
    retired = []
    for key in _keys(session):
        if key.retired_at is None:
            key.retired_at = now
            retired.append(key.public_key_multibase)
    key = _new_key(session)
    audit.record(
        session,
        actor,
        "issuer_key.rotated",
        key,
        before={"public_keys": retired},
        after={"public_key": key.public_key_multibase},
    )
    return key


def did_document(session: Session, issuer: Issuer) -> dict[str, Any]:
    """The issuer's did:web document: every public key, current and retired, as a
    ``Multikey`` for the assertion method. No private key material."""
    if not _keys(session):
        ensure_key(session)
    keys = _keys(session)
    methods = [
        {
            "id": issuer.method_id(key),
            "type": "Multikey",
            "controller": issuer.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in reversed(keys)
    ]
    return {
        "@context": [proofs.DID_V1_CONTEXT, proofs.MULTIKEY_V1_CONTEXT],
        "id": issuer.did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


# Credentials


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_start(day: date) -> str:
    return _stamp(datetime.combine(day, time.min, tzinfo=UTC))


def _day_end(day: date) -> str:
    return _stamp(datetime.combine(day, time(23, 59, 59), tzinfo=UTC))


def _identity(issuer: Issuer, award: Award) -> dict[str, Any]:
    """The holder's email as a salted hash (Open Badges' IdentityObject): who holds the
    address can prove it is theirs; nobody reads it from the credential."""
    salt = hmac.new(
        issuer.salt_secret.encode(), f"identity:{award.verification_id}".encode(), "sha256"
    ).hexdigest()[:32]
    digest = hashlib.sha256((award.member.email.strip().lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def _narrative(issuer: Issuer, award: Award, criteria: Sequence[tuple[str, str]]) -> str:
    cycle = award.cycle
    lines = [
        f"Awarded by {issuer.name} in its {cycle.name} cycle, in the "
        f"{award.category.name} category. The member was nominated (by a peer or "
        f"themself) with at least {cycle.min_evidence} community contributions from the "
        f"{cycle.lookback_months} months before nominations closed, endorsed by peers; "
        "a review panel scored the nomination against the cycle's rubric, from 1 to 5 "
        "per criterion, and the organizers decided on the panel's reviews:",
        "",
    ]
    for name, description in criteria:
        lines.append(f"- **{name}**" + (f": {description}" if description else ""))
    lines += [
        "",
        f"The award holds for the cycle's term of {cycle.award_term_months} months and "
        "lapses unless it is renewed on continued contribution.",
    ]
    return "\n".join(lines)


def status_index(session: Session, award: Award) -> int:
    """The award's stable place in the status lists (its id, set as it is granted;
    an award from before is given its place here, once)."""
    if award.status_index is None:
        award.status_index = award.id
        session.flush()
    return award.status_index


def assign_status_index(award: Award, **_ignored: Any) -> None:
    """``award_granted``'s receiver: the new award takes its place in the status lists
    (written with the award's other changes, at the next flush)."""
    award.status_index = award.id


def unsigned_credential(session: Session, issuer: Issuer, award: Award) -> dict[str, Any]:
    """The award's Open Badges 3.0 credential, before its proof."""
    index = status_index(session, award)
    number = index // LIST_BITS
    list_url = issuer.status_list_url(number)
    award_url = f"{issuer.root}/awards/{award.verification_id}"
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if award.member.profile_public:
        subject["id"] = f"{issuer.root}/members/{award.member_id}"
    subject["identifier"] = [_identity(issuer, award)]
    category = award.category
    subject["achievement"] = {
        "id": f"{issuer.root}/cycles/{award.cycle_id}#category-{category.id}",
        "type": ["Achievement"],
        "achievementType": "Award",
        "name": f"{category.name} award",
        "description": (
            category.description.strip()
            or f"The {issuer.name} award in {category.name}, {award.cycle.name}."
        ),
        "criteria": {
            "narrative": _narrative(issuer, award, queries.criteria(session, award.cycle_id))
        },
        "image": {
            "id": issuer.image,
            "type": "Image",
            "caption": f"{issuer.name} {category.name} award badge",
        },
        "creator": issuer.profile(),
    }
    credential: dict[str, Any] = {
        "@context": [proofs.VC_V2_CONTEXT, proofs.OB_V3_CONTEXT],
        "id": award_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{category.name} award, {award.cycle.name}",
        "description": (
            f"{award.member.display_name} holds the {issuer.name} {category.name} award "
            f"of the {award.cycle.name} cycle."
        ),
        "issuer": issuer.profile(),
        "validFrom": _day_start(award.starts_on),
        "validUntil": _day_end(award.ends_on),
        "credentialSubject": subject,
    }
    evidence = queries.public_evidence(session, award.nomination_id)
    if evidence:
        credential["evidence"] = [
            {
                "id": f"{issuer.root}/contributions/{item.contribution_id}",
                "type": ["Evidence"],
                "name": item.title,
            }
            for item in evidence
        ]
    credential["credentialStatus"] = {
        "id": f"{list_url}#{index % LIST_BITS}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index % LIST_BITS),
        "statusListCredential": list_url,
    }
    return credential


def _sign(issuer: Issuer, key: IssuerKey, document: dict[str, Any], at: datetime) -> dict[str, Any]:
    created = max(at, key.created_at)
    return proofs.sign(
        document,
        proofs.private_key(key.secret_key_multibase),
        issuer.method_id(key),
        _stamp(created),
    )


def award_credential(session: Session, issuer: Issuer, award: Award) -> dict[str, Any]:
    """The award's signed credential."""
    key = ensure_key(session)
    return _sign(issuer, key, unsigned_credential(session, issuer, award), award.created_at)


def credential_json(session: Session, issuer: Issuer, award: Award) -> str:
    """The award's signed credential as the JSON text served (and baked into the badge
    image): UTF-8, indented."""
    return to_json(award_credential(session, issuer, award))


def to_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def status_list_credential(session: Session, issuer: Issuer, number: int) -> dict[str, Any]:
    """Status list ``number``: a signed ``BitstringStatusListCredential`` whose bits are
    the revoked awards of entries ``number * 131072`` onwards. Valid from its latest
    revocation (or from the key's making); the same state gives the same document."""
    if not 0 <= number <= MAX_LIST_NUMBER:
        raise NotFound("No such status list.")
    key = ensure_key(session)
    state = queries.revoked_in_list(session, number, LIST_BITS)
    url = issuer.status_list_url(number)
    document = {
        "@context": [proofs.VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": _stamp(state.changed_at or key.created_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": proofs.encode_list(state.revoked),
        },
    }
    return _sign(issuer, key, document, state.changed_at or key.created_at)


# Verification


@dataclass(frozen=True)
class Verification:
    """A credential's verification result. ``reason``: "" when verified, else
    "revoked", "expired", "not yet valid" or "invalid"; ``message`` says it to a person."""

    verified: bool
    reason: str
    message: str
    issuer_name: str = ""
    valid_until: datetime | None = None


def _fail(reason: str, message: str, issuer_name: str = "") -> Verification:
    return Verification(False, reason, message, issuer_name)


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise ProofError(_("The credential's %(field)s is missing.", field=field))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ProofError(
            _("The credential's %(field)s is not a date and time.", field=field)
        ) from None
    if moment.tzinfo is None:
        raise ProofError(_("The credential's %(field)s has no time zone.", field=field))
    return moment


def _status_bit(session: Session, issuer: Issuer, credential: Mapping[str, Any]) -> bool:
    """Whether the credential's revocation bit is set, read from the status list it
    names (which must be this issuer's, and verify)."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise ProofError(_("The credential has no Bitstring Status List entry."))
    if entry.get("statusPurpose") != "revocation":
        raise ProofError(_("The credential's status entry is not for revocation."))
    url = entry.get("statusListCredential")
    prefix = issuer.root + STATUS_PATH
    number_text = url[len(prefix) :] if isinstance(url, str) and url.startswith(prefix) else ""
    position = entry.get("statusListIndex")
    if not (number_text.isascii() and number_text.isdigit() and len(number_text) <= 7):
        raise ProofError(_("The credential's status list is not this issuer's."))
    if not (isinstance(position, str) and position.isascii() and position.isdigit()):
        raise ProofError(_("The credential's status index is not a number."))
    try:
        status_list = status_list_credential(session, issuer, int(number_text))
    except NotFound:
        raise ProofError(_("The credential's status list does not exist.")) from None
    proofs.check_proof(status_list, _published_keys(session, issuer))
    bits = proofs.decode_list(status_list["credentialSubject"]["encodedList"])
    return proofs.bit_at(bits, int(position))


def _published_keys(session: Session, issuer: Issuer) -> dict[str, str]:
    return {issuer.method_id(key): key.public_key_multibase for key in _keys(session)}


def verify(
    session: Session, issuer: Issuer, credential: Mapping[str, Any], now: datetime | None = None
) -> Verification:
    """Verify ``credential`` as one of this issuer's Open Badges: its form, its proof by
    a published key, its revocation bit, then its validity dates at ``now``."""
    now = now or clock.now()
    try:
        contexts = credential.get("@context")
        types = credential.get("type")
        if not (
            isinstance(contexts, list)
            and contexts[:1] == [proofs.VC_V2_CONTEXT]
            and proofs.OB_V3_CONTEXT in contexts
            and isinstance(types, list)
            and "OpenBadgeCredential" in types
        ):
            raise ProofError(_("This is not an Open Badges 3.0 credential."))
        profile = credential.get("issuer")
        issuer_id = profile.get("id") if isinstance(profile, dict) else profile
        if issuer_id != issuer.did:
            raise ProofError(_("This credential was not issued by %(issuer)s.", issuer=issuer.name))
        name = str(profile.get("name", issuer.name)) if isinstance(profile, dict) else issuer.name
        proofs.check_proof(credential, _published_keys(session, issuer))
        revoked = _status_bit(session, issuer, credential)
        valid_from = _moment(credential.get("validFrom"), "validFrom")
        valid_until = _moment(credential.get("validUntil"), "validUntil")
    except ProofError as exc:
        return _fail("invalid", str(exc))
    if revoked:
        return _fail(
            "revoked",
            _("Revoked: the status list of %(issuer)s marks it revoked.", issuer=name),
            name,
        )
    if now < valid_from:
        return _fail(
            "not yet valid",
            _("Not valid yet: valid from %(date)s.", date=format_date(valid_from)),
            name,
        )
    if now > valid_until:
        return _fail("expired", _("Expired on %(date)s.", date=format_date(valid_until)), name)
    return Verification(
        True,
        "",
        _(
            "Signed by %(issuer)s, valid until %(date)s.",
            issuer=name,
            date=format_date(valid_until),
        ),
        name,
        valid_until,
    )


def verify_award(session: Session, issuer: Issuer, award: Award) -> Verification:
    """The award page's verification: its credential as served, verified."""
    return verify(session, issuer, award_credential(session, issuer, award))


def credential_for_download(session: Session, issuer: Issuer, award: Award) -> str:
    """The credential JSON served; a revoked award's is gone (``Gone``)."""
    if award.status is AwardStatus.REVOKED:
        raise Gone(award)
    return credential_json(session, issuer, award)


class Gone(DomainError):
    """A revoked award's credential: it answers 410 with the revocation date."""

    status = 410

    def __init__(self, award: Award):
        if award.revoked_at:
            day = award.revoked_at.date().isoformat()
            message = _(
                "This award was revoked on %(date)s: its credential is withdrawn.", date=day
            )
        else:
            message = _("This award was revoked on an earlier date: its credential is withdrawn.")
        super().__init__(message)
        self.revoked_at = award.revoked_at
