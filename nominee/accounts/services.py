"""Account operations. They check rules, change state, write audit events and flush.

Mail about an account (verification, password reset, "someone tried to register with
your address", security notices) leaves through the outbox: topic ``mail.account``,
payload ``{user_id, template, params, to?}``, built into a message by
``nominee.mail.account``. The links in it are site-relative paths the caller's
``MailLinks`` writes (the views build them with ``url_for``); the mail makes them
absolute under ``BASE_URL``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import audit, clock, countries, i18n, sharedcache
from nominee.accounts import passwords
from nominee.accounts.models import Role, User, new_session_token
from nominee.accounts.rules import (
    HIDDEN_CHARACTERS_MESSAGE,
    RESET_LINK_LIFETIME,
    VERIFY_LINK_LIFETIME,
    can_change_role,
    has_hidden_characters,
)
from nominee.categories.models import Category
from nominee.endorsements import services as endorsements
from nominee.errors import DomainError, PermissionDenied
from nominee.i18n import N_, _
from nominee.mail.tokens import Purpose, TokenError, make_token, read_token
from nominee.markdown import render
from nominee.outbox.services import put
from nominee.tokens.services import revoke_all as revoke_api_tokens

MAX_LINKS = 5
# The PostgreSQL advisory lock that serialises sign-ups on an empty database (any
# constant no other advisory lock of the application uses).
FIRST_ACCOUNT_LOCK = 7_316_540_001

MAIL_TOPIC = "mail.account"
ADDRESS_TAKEN = N_("An account with this email already exists.")
INVALID_LINK = N_("This link is not valid. Ask for a new one.")
EXPIRED_LINK = N_("This link has expired. Ask for a new one.")
USED_RESET_LINK = N_(
    "This link was already used, or a newer one was sent since, or the password was "
    "changed. Ask for a new one."
)
OLD_ADDRESS_LINK = N_("This link is for an address your account no longer uses.")


class AddressTaken(DomainError):
    """The address belongs to another account."""

    def __init__(self) -> None:
        super().__init__(_(ADDRESS_TAKEN), field="email")


@dataclass(frozen=True)
class MailLinks:
    """What account mail needs from the web: the secret that signs its links, and the
    site-relative paths of the pages they open (the views write them with ``url_for``)."""

    secret: str
    verify: Callable[[str], str]  # token -> path of the confirmation page
    reset: Callable[[str], str]  # token -> path of the new-password page
    login: str
    forgot: str


def send_mail(
    session: Session, user: User, template: str, params: dict[str, Any], *, to: str | None = None
) -> None:
    """Write a ``mail.account`` message for ``user`` to the outbox (``to``: another address
    than the account's, e.g. the old one after a change)."""
    payload: dict[str, Any] = {"user_id": user.id, "template": template, "params": params}
    if to is not None:
        payload["to"] = to
    put(session, MAIL_TOPIC, payload)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def register(
    session: Session,
    *,
    display_name: str,
    email: str,
    password: str,
    language: str = "",
    time_zone: str = "",
) -> User:
    """Create a member; the very first account of a programme becomes its organizer.
    ``language``: the one the visitor read the site in (kept when we have it);
    ``time_zone``: their browser's, when valid; else both stay "" (browser's language,
    programme's zone)."""
    email = normalise_email(email)
    refuse_hidden_characters(display_name=display_name)
    reason = passwords.policy_error(password, email=email, display_name=display_name)
    if reason:
        raise DomainError(reason, field="password")
    # Hashed before looking the address up: a taken address costs the same time as a
    # free one, so the answer's timing does not tell whether the account exists.
    password_hash = passwords.hash_password(password)
    if find_by_email(session, email) is not None:
        raise AddressTaken()
    is_first = _no_account_yet(session)
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        role=Role.ORGANIZER if is_first else Role.MEMBER,
        language=language if language in i18n.LANGUAGES else "",
        time_zone=i18n.valid_time_zone(time_zone.strip()) or "",
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise AddressTaken() from None
    audit.record(session, user, "account.registered", user, after={"role": user.role})
    if is_first:  # the programme's set-up state says "no account yet" until this commits
        sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return user


def sign_up(
    session: Session,
    *,
    display_name: str,
    email: str,
    password: str,
    links: MailLinks,
    language: str = "",
    time_zone: str = "",
) -> User | None:
    """Registration as the web offers it, telling nobody whether the address is taken.

    A free address gets its account (unverified) and a verification link; a taken one
    gets no account, and its owner a "someone tried to register with your address" mail.
    Both do the same password hashing (``register``), sign one token and write one
    outbox message, and the caller answers both alike. None when the address was taken.
    """
    try:
        user = register(
            session,
            display_name=display_name,
            email=email,
            password=password,
            language=language,
            time_zone=time_zone,
        )
    except AddressTaken:
        make_token(links.secret, Purpose.VERIFY_EMAIL, {"u": 0, "e": normalise_email(email)})
        owner = find_by_email(session, email)
        if owner is not None:
            send_mail(
                session,
                owner,
                "address_taken",
                {"login_link": links.login, "reset_link": links.forgot},
            )
            audit.record(session, None, "account.registration_refused", owner)
        return None
    send_verification(session, user, links)
    return user


def send_verification(session: Session, user: User, links: MailLinks) -> None:
    """Mail ``user`` a link confirming their current address, bound to the account and
    that address: it stops working once the address is confirmed or changed."""
    if user.email_verified_at is not None:
        raise DomainError(_("Your email address is already confirmed."))
    token = make_token(links.secret, Purpose.VERIFY_EMAIL, {"u": user.id, "e": user.email})
    send_mail(session, user, "verify_email", {"link": links.verify(token), "address": user.email})


def _token_payload(secret: str, purpose: Purpose, token: str, max_age: timedelta) -> dict[str, Any]:
    try:
        payload = read_token(secret, purpose, token, max_age)
    except TokenError as exc:
        raise DomainError(_(EXPIRED_LINK if exc.expired else INVALID_LINK)) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise DomainError(_(INVALID_LINK))
    return payload


def account_to_verify(session: Session, secret: str, token: str) -> tuple[User, bool]:
    """The account a verification link is for, and whether its address still awaits
    confirmation (False: confirmed already). Raises ``DomainError`` with the reason a
    link cannot be used: forged, expired, or for an address the account left."""
    payload = _token_payload(secret, Purpose.VERIFY_EMAIL, token, VERIFY_LINK_LIFETIME)
    user = session.get(User, payload["u"])
    if user is None or not user.is_active:
        raise DomainError(_(INVALID_LINK))
    if payload.get("e") != user.email:
        raise DomainError(_(OLD_ADDRESS_LINK))
    return user, user.email_verified_at is None


def confirm_email(session: Session, secret: str, token: str) -> tuple[User, bool]:
    """Confirm the address of a verification link: the account, and whether this use
    confirmed it (False: the link had served already, nothing changes)."""
    user, pending = account_to_verify(session, secret, token)
    if pending:
        user.email_verified_at = clock.now()
        audit.record(session, user, "account.email_verified", user, after={"email": user.email})
    return user, pending


def _reset_fingerprint(user: User | None) -> str:
    """What a reset link must still find: the password hash, the session token and the
    reset count. A password change, a logout everywhere, a later reset request or the
    link's own use change it, and the link stops working."""
    parts = (user.password_hash, user.session_token, str(user.reset_generation)) if user else ()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def reset_token(secret: str, user: User | None) -> str:
    """A reset link's token for ``user`` as the account is now (None: the same work for
    no account, so that both answers take as long)."""
    return make_token(
        secret, Purpose.PASSWORD_RESET, {"u": user.id if user else 0, "f": _reset_fingerprint(user)}
    )


def request_password_reset(session: Session, email: str, links: MailLinks) -> None:
    """Mail a reset link to the account of ``email``, if there is an active one.

    The caller answers the same either way; both sides sign a token, and the sending
    happens later from the outbox, so the answer's timing tells nothing either.
    """
    user = find_by_email(session, email)
    if user is None or not user.is_active:
        reset_token(links.secret, None)
        return
    user.reset_generation += 1
    send_mail(
        session, user, "password_reset", {"link": links.reset(reset_token(links.secret, user))}
    )
    audit.record(session, None, "account.password_reset_requested", user)


def account_to_reset(session: Session, secret: str, token: str) -> User:
    """The account a reset link is for, while the link may still be used; raises
    ``DomainError`` (forged, expired after an hour, used, or superseded)."""
    payload = _token_payload(secret, Purpose.PASSWORD_RESET, token, RESET_LINK_LIFETIME)
    user = session.get(User, payload["u"])
    if user is None or not user.is_active:
        raise DomainError(_(INVALID_LINK))
    if payload.get("f") != _reset_fingerprint(user):
        raise DomainError(_(USED_RESET_LINK))
    return user


def reset_password(
    session: Session, secret: str, token: str, new_password: str, links: MailLinks
) -> User:
    """Set a new password from a reset link: every session of the account ends (the
    caller may start a new one), the link stops working, and the address hears of it.
    Following the link proves the address, so one awaiting confirmation is confirmed."""
    user = account_to_reset(session, secret, token)
    reason = passwords.policy_error(new_password, email=user.email, display_name=user.display_name)
    if reason:
        raise DomainError(reason, field="new_password")
    user.password_hash = passwords.hash_password(new_password)
    _end_sessions(session, user, "password")
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    audit.record(session, user, "account.password_reset", user)
    _password_notice(session, user, links)
    return user


def _password_notice(session: Session, user: User, links: MailLinks) -> None:
    send_mail(
        session,
        user,
        "security_notice",
        {"change": "password", "changed_at": clock.now().isoformat(), "reset_link": links.forgot},
    )


def refuse_hidden_characters(**names: str) -> None:
    """Refuse a one-line name holding invisible or control characters, next to its field."""
    for field, value in names.items():
        if has_hidden_characters(value):
            raise DomainError(_(HIDDEN_CHARACTERS_MESSAGE), field=field)


def _no_account_yet(session: Session) -> bool:
    """Whether the database holds no account, decided for one sign-up at a time.

    Two sign-ups on an empty database would otherwise both find it empty and both become
    organizers. SQLite runs write transactions one at a time already (``BEGIN
    IMMEDIATE``); on PostgreSQL a sign-up that finds no account takes a transaction-level
    advisory lock and looks again: the second waits until the first commits, then sees
    its account. Once there are accounts, nobody waits.
    """
    if session.scalar(select(User.id).limit(1)) is not None:
        return False
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(literal(FIRST_ACCOUNT_LOCK, BigInteger))))
        return session.scalar(select(User.id).limit(1)) is None
    return True


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user for these credentials, or None. Both outcomes are audited."""
    user = find_by_email(session, email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        audit.record(
            session,
            user,
            "login.failed",
            object_type="user",
            object_id=user.id if user else None,
            after={"email": normalise_email(email)[:254], "inactive": bool(user and ok)},
        )
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    user.login_started_at = int(time.time())  # a new login, even over a current one
    audit.record(session, user, "login.succeeded", user)
    return user


def _end_sessions(session: Session, user: User, reason: str) -> None:
    """Every session, remember-me cookie and API token of ``user`` stops working: the
    password, the address or the role changed, or the account was deactivated."""
    user.session_token = new_session_token()
    revoke_api_tokens(session, user, reason)


def log_out_everywhere(session: Session, user: User) -> None:
    """Rotate the session token: every session and remember-me cookie stops working.
    API tokens live on: a script keeps working when its owner logs out of a browser."""
    user.session_token = new_session_token()
    audit.record(session, user, "logout", user)


def update_profile(
    session: Session,
    user: User,
    *,
    display_name: str,
    bio_md: str,
    location: str,
    links: list[str],
    primary_category_id: int | None,
    category_ids: list[int],
    country: str = "",
    profile_public: bool = True,
) -> User:
    """Save the member's profile. ``country``: an ISO 3166-1 alpha-2 code or "" (not
    given); ``profile_public`` off leaves them out of the public awardee directory and
    shows visitors who are not logged in only their name."""
    refuse_hidden_characters(display_name=display_name, location=location)
    country = country.strip().upper()
    if country and not countries.is_country(country):
        raise DomainError(_("Choose a country from the list."), field="country")
    links = [link.strip() for link in links if link.strip()]
    if len(links) > MAX_LINKS:
        raise DomainError(_("At most %(num)d links.", num=MAX_LINKS), field="links")
    categories = _active_categories(session, {*category_ids, *filter(None, [primary_category_id])})
    before = _profile_facts(user)
    user.display_name = display_name.strip()
    user.bio_md = bio_md
    user.bio_html = render(bio_md)
    user.location = location.strip()
    user.country = country
    user.profile_public = profile_public
    user.links = links
    user.primary_category_id = primary_category_id
    user.categories = [c for c in categories if c.id != primary_category_id]
    session.flush()
    audit.record(
        session,
        user,
        "account.profile_updated",
        user,
        before=before,
        after=_profile_facts(user),
    )
    return user


def _profile_facts(user: User) -> dict[str, Any]:
    """What the audit log keeps of a profile change."""
    return {
        "display_name": user.display_name,
        "location": user.location,
        "country": user.country,
        "profile_public": user.profile_public,
    }


def _active_categories(session: Session, ids: set[int]) -> list[Category]:
    if not ids:
        return []
    found = session.scalars(
        select(Category).where(Category.id.in_(ids), Category.retired.is_(False))
    ).all()
    if len(found) != len(ids):
        raise DomainError(_("Choose categories from the list."), field="categories")
    return list(found)


# A member's colour theme: "" follows the system (``prefers-color-scheme``).
THEMES: dict[str, str] = {"": N_("Follow my system"), "light": N_("Light"), "dark": N_("Dark")}


def reading_errors(language: str, time_zone: str, theme: str = "") -> dict[str, str]:
    """What is wrong with a choice of language, zone and theme, by field ({} when none)."""
    errors: dict[str, str] = {}
    if language and language not in i18n.LANGUAGES:
        errors["language"] = _("Choose a language from the list.")
    if time_zone and i18n.valid_time_zone(time_zone) is None:
        errors["time_zone"] = _(
            "%(zone)s is not a time zone we know. Choose one from the list, such as Europe/Madrid.",
            zone=time_zone[:64],
        )
    if theme not in THEMES:
        errors["theme"] = _("Choose a theme from the list.")
    return errors


def update_reading(
    session: Session, user: User, *, language: str, time_zone: str, theme: str = ""
) -> User:
    """Save how ``user`` reads: ``language`` ("" = their browser's), ``time_zone`` (an IANA
    name, "" = the programme's) and ``theme`` ("" = their system's, "light", "dark").
    Nothing changes when any is not one we offer."""
    language, time_zone, theme = language.strip(), time_zone.strip(), theme.strip()
    errors = reading_errors(language, time_zone, theme)
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
    before = _reading_facts(user)
    user.language, user.time_zone, user.theme = language, time_zone, theme
    session.flush()
    if _reading_facts(user) != before:
        audit.record(
            session,
            user,
            "account.reading_updated",
            user,
            before=before,
            after=_reading_facts(user),
        )
    return user


def _reading_facts(user: User) -> dict[str, str]:
    return {"language": user.language, "time_zone": user.time_zone, "theme": user.theme}


def default_time_zone(session: Session, user: User, time_zone: str) -> bool:
    """The browser's zone for a member who has none yet (once, sent by the page's script):
    stored when ``user`` has not chosen a zone and ``time_zone`` is a valid one. A chosen
    zone is never overwritten. True when stored."""
    zone = i18n.valid_time_zone(time_zone.strip())
    if user.time_zone or zone is None:
        return False
    user.time_zone = zone
    session.flush()
    audit.record(
        session,
        user,
        "account.reading_updated",
        user,
        before={"time_zone": ""},
        after={"time_zone": zone, "from": "browser"},
    )
    return True


def change_password(session: Session, user: User, current: str, new: str, links: MailLinks) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError(_("The current password is not correct."), field="current_password")
    reason = passwords.policy_error(new, email=user.email, display_name=user.display_name)
    if reason:
        raise DomainError(reason, field="new_password")
    user.password_hash = passwords.hash_password(new)
    _end_sessions(session, user, "password")
    audit.record(session, user, "account.password_changed", user)
    _password_notice(session, user, links)


def change_email(
    session: Session, user: User, current_password: str, new_email: str, links: MailLinks
) -> None:
    """Change the address at once, unconfirmed: the new address gets a verification
    link, the old one a notice (with a reset link, should it not be the owner's doing)."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise DomainError(_("The current password is not correct."), field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        return
    if find_by_email(session, new_email) is not None:
        raise AddressTaken()
    old_email = user.email
    user.email = new_email
    user.email_verified_at = None
    _end_sessions(session, user, "email")
    audit.record(
        session,
        user,
        "account.email_changed",
        user,
        before={"email": old_email},
        after={"email": new_email},
    )
    send_mail(
        session,
        user,
        "security_notice",
        {
            "change": "email",
            "changed_at": clock.now().isoformat(),
            "new_address": new_email,
            "reset_link": links.forgot,
        },
        to=old_email,
    )
    send_verification(session, user, links)


def change_role(session: Session, actor: User, target: User, role: Role) -> None:
    if not can_change_role(actor, target):
        raise PermissionDenied("You cannot change this account's role.")
    if target.role is role:
        return
    before = {"role": target.role}
    target.role = role
    _end_sessions(session, target, "role")
    audit.record(
        session, actor, "account.role_changed", target, before=before, after={"role": role}
    )


def set_active(session: Session, actor: User, target: User, active: bool) -> None:
    if not can_change_role(actor, target):
        raise PermissionDenied("You cannot deactivate or reactivate this account.")
    if target.is_active_account == active:
        return
    target.is_active_account = active
    # The endorsements of their contributions say whether everybody may see them.
    endorsements.refresh_public(session, endorsee_id=target.id)
    if active:
        target.session_token = new_session_token()
    else:
        _end_sessions(session, target, "deactivated")
    audit.record(
        session,
        actor,
        "account.reactivated" if active else "account.deactivated",
        target,
        before={"active": not active},
        after={"active": active},
    )


def create_or_promote_organizer(
    session: Session, email: str, *, display_name: str | None, password: str | None
) -> tuple[User, bool]:
    """For the CLI. Returns the user and whether it was created."""
    user = find_by_email(session, email)
    if user is None:
        if not password:
            raise DomainError(_("A password is needed to create a new account."), field="password")
        user = register(
            session,
            display_name=display_name or normalise_email(email).split("@")[0],
            email=email,
            password=password,
        )
        # The operator typed the address on the server: it needs no link.
        user.email_verified_at = clock.now()
        created = True
    else:
        created = False
    if user.role is not Role.ORGANIZER:
        before = {"role": user.role}
        user.role = Role.ORGANIZER
        audit.record(
            session, None, "account.role_changed", user, before=before, after={"role": user.role}
        )
    return user, created
