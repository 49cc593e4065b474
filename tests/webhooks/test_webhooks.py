"""Webhooks: organizers register endpoints; domain events reach them through the outbox,
signed, retried, recorded and re-deliverable. Against a real receiver on 127.0.0.1
(tests/webserver.py) reached through the outbound guard's allow-list."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nominee import clock, outbound
from nominee.audit import AuditEvent
from nominee.awards import services as awards
from nominee.cycles import services as cycles
from nominee.cycles.models import CycleStatus
from nominee.mail.settings import MailSettings
from nominee.outbound import OutboundError
from nominee.outbox import sender
from nominee.outbox.models import OutboxMessage
from nominee.webhooks import services as webhooks
from nominee.webhooks.models import (
    AttemptOutcome,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.webserver import Received, Reply, WebServer

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture
def receiver():
    with WebServer({"/hook": Reply(200, b"thanks")}) as server:
        yield server


@pytest.fixture
def hooks_app(app):
    app.config["OUTBOUND_ALLOW_HOSTS"] = ["127.0.0.1"]
    return app


@pytest.fixture
def organizer(make):
    return make.organizer(display_name="Ana Ruiz")


def drain(app) -> sender.Report:
    with app.app_context():
        return sender.drain(
            app.extensions["nominee.sessionmaker"],
            MailSettings.from_config(app.config),
            sender.Policy.from_config(app.config),
        )


def endpoint_for(db, organizer, url: str, events=("cycle.moved",), allow=("127.0.0.1",)):
    endpoint, secret = webhooks.create_endpoint(
        db, organizer, url=url, events=events, allow_hosts=frozenset(allow)
    )
    db.commit()
    return endpoint, secret


def open_cycle(db, make, organizer):
    cycle = make.cycle(status=CycleStatus.DRAFT, name="Community Awards 2027")
    cycles.move_status(db, organizer, cycle, CycleStatus.OPEN, cycle.version)
    db.commit()
    return cycle


def deliveries(db, endpoint_id: int) -> list[WebhookDelivery]:
    db.expire_all()
    return list(
        db.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id)
        )
    )


def attempts(db, delivery_id: int) -> list[WebhookAttempt]:
    return list(
        db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
    )


def readme_verify():
    """The verification snippet of the README, as published."""
    text = README.read_text()
    section = text[text.index("### Checking the signature") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102
    return namespace["verify"]


def test_an_organizer_registers_an_endpoint_and_sees_its_secret_once(
    hooks_app, client, auth, organizer, db, receiver
):
    auth.login(organizer)
    page = client.post(
        "/admin/webhooks/new",
        data={
            "url": receiver.url("/hook"),
            "description": "Our CRM",
            "events": ["award.granted", "cycle.moved"],
        },
    )
    assert page.status_code == 200
    secret = re.search(r'value="(whsec_[\w-]+)"', page.text).group(1)
    endpoint = db.scalar(select(WebhookEndpoint))
    assert endpoint.secret == secret and endpoint.events == ["award.granted", "cycle.moved"]
    shown = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert receiver.url("/hook") in shown and secret not in shown
    log = client.get("/admin/audit").text
    assert f"Ana Ruiz added the webhook endpoint {receiver.url('/hook')}." in log
    assert "Webhooks" in client.get("/admin/webhooks/").text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/in", "Use an https:// address."),
        ("https://10.0.0.4/in", "10.0.0.4 is a private address"),
        ("https://169.254.169.254/latest", "cloud metadata"),
        ("https://[::1]/in", "loopback"),
        ("https://localhost/in", "localhost is a loopback name"),
        ("https://hooks.example.org:8443/in", "only ports 80 and 443"),
        ("ftp://hooks.example.org/in", "Use an https:// address."),
        ("not a url", "Use an https:// address."),
    ],
)
def test_bad_endpoint_addresses_are_refused_next_to_the_field(
    app, client, auth, organizer, db, url, message
):
    auth.login(organizer)
    page = client.post("/admin/webhooks/new", data={"url": url, "events": ["cycle.moved"]})
    assert page.status_code == 200
    assert message in page.text.replace("&#39;", "'")
    assert 'id="url-error"' in page.text
    assert db.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_no_event_chosen_is_refused(app, client, auth, organizer, db):
    auth.login(organizer)
    page = client.post("/admin/webhooks/new", data={"url": "https://hooks.example.org/in"})
    assert "Choose at least one event." in page.text
    assert db.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_a_cycle_move_is_delivered_signed(hooks_app, make, db, organizer, receiver):
    endpoint, secret = endpoint_for(db, organizer, receiver.url("/hook"))
    cycle = open_cycle(db, make, organizer)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.PENDING
    assert receiver.received == []  # nothing leaves before the outbox is drained

    drain(hooks_app)
    [request] = receiver.received
    assert request.method == "POST" and request.path == "/hook"
    assert request.header("Content-Type") == "application/json"
    assert request.header("Nominee-Event") == "cycle.moved"
    assert request.header("Nominee-Delivery") == str(delivery.id)
    body = json.loads(request.body)
    assert body["type"] == "cycle.moved" and body["id"] == delivery.event_id
    assert body["id"].startswith("evt_") and body["created"].endswith("Z")
    assert body["data"] == {
        "cycle_id": cycle.id,
        "name": "Community Awards 2027",
        "from": "draft",
        "to": "open",
    }
    verify = readme_verify()
    assert verify(secret, request.header("Nominee-Signature"), request.body)
    assert not verify("whsec_wrong", request.header("Nominee-Signature"), request.body)
    assert not verify(secret, request.header("Nominee-Signature"), request.body + b" ")

    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.response_code == 200
    [attempt] = attempts(db, delivery.id)
    assert attempt.outcome == AttemptOutcome.DELIVERED and attempt.response_code == 200
    assert attempt.duration_ms >= 0
    drain(hooks_app)
    assert len(receiver.received) == 1  # never twice


def test_only_subscribed_events_are_delivered(hooks_app, make, db, organizer, receiver):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"), events=["award.revoked"])
    open_cycle(db, make, organizer)
    assert deliveries(db, endpoint.id) == []
    award = make.award()
    awards.revoke(db, organizer, award, "Plagiarised talks")
    db.commit()
    drain(hooks_app)
    [request] = receiver.received
    body = json.loads(request.body)
    assert body["type"] == "award.revoked"
    assert body["data"]["award_id"] == award.id and body["data"]["status"] == "revoked"


def test_a_rolled_back_change_sends_nothing(hooks_app, make, db, organizer, receiver):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"))
    cycle = make.cycle(status=CycleStatus.DRAFT)
    db.commit()
    cycles.move_status(db, organizer, cycle, CycleStatus.OPEN, cycle.version)
    db.rollback()
    drain(hooks_app)
    assert deliveries(db, endpoint.id) == [] and receiver.received == []


def test_a_failed_attempt_is_retried_with_backoff(
    hooks_app, client, auth, make, db, organizer, receiver, freeze_clock
):
    answers = iter([500, 200])
    receiver.routes["/flaky"] = lambda request: Reply(next(answers), b"")
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/flaky"))
    open_cycle(db, make, organizer)
    drain(hooks_app)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.response_code == 500
    assert delivery.last_error == "The endpoint answered 500."
    assert delivery.next_attempt_at > clock.now()
    auth.login(organizer)
    page = client.get(f"/admin/webhooks/{endpoint.id}").text
    iso = delivery.next_attempt_at.isoformat()
    assert f'Retrying, next attempt <time datetime="{iso}">' in page
    assert "500 The endpoint answered 500." in page
    drain(hooks_app)
    assert len(receiver.received) == 1  # not before its time

    freeze_clock(clock.now() + timedelta(minutes=2))
    drain(hooks_app)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [(a.number, a.outcome, a.response_code) for a in attempts(db, delivery.id)] == [
        (1, AttemptOutcome.FAILED, 500),
        (2, AttemptOutcome.DELIVERED, 200),
    ]
    first, second = receiver.received
    assert first.body == second.body  # the same body, freshly signed


def test_attempts_run_out(hooks_app, make, db, organizer, receiver, freeze_clock):
    hooks_app.config["MAIL_MAX_ATTEMPTS"] = 2
    receiver.routes["/down"] = Reply(503)
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/down"))
    open_cycle(db, make, organizer)
    drain(hooks_app)
    freeze_clock(clock.now() + timedelta(minutes=2))
    drain(hooks_app)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    assert delivery.next_attempt_at is None
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == webhooks.TOPIC))
    assert message.failed_at is not None


def test_an_unreachable_endpoint_records_the_error(hooks_app, make, db, organizer):
    with WebServer() as gone:
        url = gone.url("/hook")
    endpoint, _ = endpoint_for(db, organizer, url)
    open_cycle(db, make, organizer)
    drain(hooks_app)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.response_code is None and "could not be reached" in delivery.last_error


def test_redelivery_from_the_page(hooks_app, client, auth, make, db, organizer, receiver):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"))
    open_cycle(db, make, organizer)
    drain(hooks_app)
    [first] = deliveries(db, endpoint.id)

    auth.login(organizer)
    page = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert "cycle.moved" in page and "Delivered" in page
    answer = client.post(f"/admin/webhooks/{endpoint.id}/deliveries/{first.id}/redeliver")
    assert answer.status_code == 302
    drain(hooks_app)
    original, again = receiver.received
    assert again.body == original.body
    assert again.header("Nominee-Delivery") != original.header("Nominee-Delivery")
    _, second = deliveries(db, endpoint.id)
    assert second.redelivery_of_id == first.id and second.status == DeliveryStatus.DELIVERED
    detail = client.get(f"/admin/webhooks/{endpoint.id}/deliveries/{second.id}").text
    assert f"delivery {first.id}" in detail and "200" in detail
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.redelivered"))


def test_a_disabled_endpoint_gets_nothing(hooks_app, client, auth, make, db, organizer, receiver):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"))
    auth.login(organizer)
    assert client.post(f"/admin/webhooks/{endpoint.id}/disable").status_code == 302
    open_cycle(db, make, organizer)
    drain(hooks_app)
    assert deliveries(db, endpoint.id) == [] and receiver.received == []


def test_a_delivery_waiting_when_its_endpoint_is_disabled_is_skipped(
    hooks_app, make, db, organizer, receiver
):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"))
    open_cycle(db, make, organizer)
    webhooks.set_enabled(db, organizer, db.get(WebhookEndpoint, endpoint.id), False)
    db.commit()
    drain(hooks_app)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.SKIPPED and receiver.received == []


def test_an_endpoint_resolving_to_a_private_address_is_refused(
    hooks_app, make, db, organizer, monkeypatch
):
    def resolver(host: str, port: int) -> list[str]:
        if host == "hooks.partner.example":
            return ["10.0.0.5"]
        raise OutboundError(f"{host} could not be resolved")

    monkeypatch.setattr(outbound, "resolve", resolver)
    endpoint, _ = endpoint_for(db, organizer, "https://hooks.partner.example/in")
    open_cycle(db, make, organizer)
    drain(hooks_app)
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.REFUSED
    assert (
        delivery.last_error
        == "Refused: hooks.partner.example resolves to 10.0.0.5 is a private address"
    )
    [attempt] = attempts(db, delivery.id)
    assert attempt.outcome == AttemptOutcome.REFUSED
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == webhooks.TOPIC))
    assert message.failed_at is not None  # not retried


def test_a_loopback_endpoint_is_refused_without_the_allow_list(app, make, db, organizer, receiver):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"))
    open_cycle(db, make, organizer)
    drain(app)  # OUTBOUND_ALLOW_HOSTS is empty here
    [delivery] = deliveries(db, endpoint.id)
    assert delivery.status == DeliveryStatus.REFUSED and receiver.received == []


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_day(
    hooks_app, client, auth, make, db, organizer, receiver, freeze_clock
):
    endpoint, old = endpoint_for(db, organizer, receiver.url("/hook"))
    auth.login(organizer)
    page = client.post(f"/admin/webhooks/{endpoint.id}/rotate")
    new = re.search(r'value="(whsec_[\w-]+)"', page.text).group(1)
    assert new != old
    verify = readme_verify()
    open_cycle(db, make, organizer)
    drain(hooks_app)
    header = receiver.received[0].header("Nominee-Signature")
    assert header.count("v1=") == 2
    assert verify(new, header, receiver.received[0].body)
    assert verify(old, header, receiver.received[0].body)


def test_the_signature_is_refused_when_stale():
    verify = readme_verify()
    body = b'{"id":"evt_1"}'
    from nominee.webhooks.rules import signature_header

    header = signature_header(["whsec_x"], 1_000_000_000, body)
    assert not verify("whsec_x", header, body)


def test_editing_and_deleting_an_endpoint(hooks_app, client, auth, make, db, organizer, receiver):
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/hook"))
    auth.login(organizer)
    answer = client.post(
        f"/admin/webhooks/{endpoint.id}",
        data={"url": receiver.url("/other"), "events": ["results.published"]},
    )
    assert answer.status_code == 302
    db.expire_all()
    assert db.get(WebhookEndpoint, endpoint.id).events == ["results.published"]
    bad = client.post(
        f"/admin/webhooks/{endpoint.id}",
        data={"url": "https://10.1.1.1/", "events": ["cycle.moved"]},
    )
    assert bad.status_code == 200 and "private address" in bad.text
    db.expire_all()
    assert db.get(WebhookEndpoint, endpoint.id).url == receiver.url("/other")
    assert client.post(f"/admin/webhooks/{endpoint.id}/delete").status_code == 302
    assert db.scalar(select(func.count(WebhookEndpoint.id))) == 0
    log = client.get("/admin/audit").text
    assert "Ana Ruiz deleted the webhook endpoint" in log
    assert "Ana Ruiz changed the webhook endpoint" in log


def test_results_published_and_nomination_submitted(
    hooks_app, client, auth, make, db, organizer, receiver
):
    endpoint, _ = endpoint_for(
        db, organizer, receiver.url("/hook"), events=["nomination.submitted", "results.published"]
    )
    cycle = make.cycle(status=CycleStatus.DECIDED)
    db.commit()
    cycles.move_status(db, organizer, cycle, CycleStatus.PUBLISHED, cycle.version)
    db.commit()
    open_cycle_ = make.cycle()
    member = make.user()
    evidence = [make.contribution(member).id for _ in range(3)]
    db.commit()
    from nominee.nominations import services as nominations

    nominations.nominate(
        db,
        member,
        open_cycle_,
        category_id=open_cycle_.categories[0].id,
        nominee_id=member.id,
        statement_md="I answer every question on the forum within a day. " * 3,
        evidence_ids=evidence,
    )
    db.commit()
    drain(hooks_app)
    types = [json.loads(r.body)["type"] for r in receiver.received]
    assert types == ["results.published", "nomination.submitted"]


def test_received_requests_are_json(receiver):
    assert isinstance(receiver.received, list)
    assert Received("POST", "/", {}, b"").header("x") is None


def test_the_endpoints_list_counts_what_was_not_delivered(
    hooks_app, client, auth, make, db, organizer, receiver
):
    receiver.routes["/down"] = Reply(500)
    endpoint, _ = endpoint_for(db, organizer, receiver.url("/down"))
    open_cycle(db, make, organizer)
    drain(hooks_app)
    auth.login(organizer)
    page = client.get("/admin/webhooks/").text
    assert receiver.url("/down") in page and "Retrying: 1" in page
    assert endpoint.url in page
