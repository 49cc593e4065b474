"""The outbound guard (nominee/outbound.py): SSRF refusals, pinning, redirects, limits.

Every server is real and local (tests/webserver.py on 127.0.0.1); names are made to
resolve where a test needs by replacing ``outbound.resolve``.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl

import pytest
import trustme

from nominee import outbound
from nominee.outbound import OutboundError, OutboundRefused, fetch, refusal_for_address
from tests.webserver import Received, Reply, WebServer

LOCAL = frozenset({"127.0.0.1"})


@pytest.fixture
def server():
    with WebServer({"/": Reply(200, b"hello", {"Content-Type": "text/plain"})}) as running:
        yield running


@pytest.fixture
def names(monkeypatch):
    """A fake DNS: ``names["x.test"] = ["10.0.0.1"]``; each lookup is counted."""
    table: dict[str, list[str]] = {}
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise OutboundError(f"{host} could not be resolved")
        return table[host]

    monkeypatch.setattr(outbound, "resolve", resolver)
    table_calls = (table, calls)
    return table_calls


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("2002:7f00:1::1", "loopback"),
        ("::127.0.0.1", "reserved"),
    ],
)
def test_forbidden_addresses(address, why):
    reason = refusal_for_address(ipaddress.ip_address(address))
    assert reason is not None and why in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert refusal_for_address(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "carries 127.0.0.1 is a loopback address"),
        ("https://192.168.0.1/", "192.168.0.1 is a private address"),
        ("http://0.0.0.0/", "unspecified"),
        ("ftp://example.org/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.org/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http://93.184.216.34:8080/", "only ports 80 and 443 are reached, not 8080"),
        ("http://93.184.216.34:22/", "not 22"),
        ("http://user:secret@93.184.216.34/", "user name or password"),
        ("http:///nohost", "names no host"),
        ("http://[::1/", "not a valid address"),
    ],
)
def test_refused_before_anything_is_sent(url, why):
    with pytest.raises(OutboundRefused) as refused:
        fetch(url)
    assert why in refused.value.reason


def test_localhost_is_refused_after_resolution():
    with pytest.raises(OutboundRefused) as refused:
        fetch("http://localhost/")
    assert refused.value.reason.startswith("localhost resolves to ")
    assert "loopback" in refused.value.reason


@pytest.mark.parametrize(
    "addresses",
    [["10.0.0.7"], ["169.254.169.254"], ["::1"], ["93.184.216.34", "127.0.0.1"]],
)
def test_names_resolving_to_forbidden_addresses_are_refused(names, addresses):
    table, _ = names
    table["innocent.example"] = addresses
    with pytest.raises(OutboundRefused) as refused:
        fetch("https://innocent.example/hook")
    assert refused.value.reason.startswith("innocent.example resolves to ")


def test_an_allowed_local_server_is_reached(server):
    response = fetch(server.url("/?q=1"), allow_hosts=LOCAL)
    assert response.status == 200
    assert response.body == b"hello"
    assert response.headers["content-type"] == "text/plain"
    assert response.final_url == server.url("/?q=1")
    assert response.elapsed < 5
    request = server.received[0]
    assert request.path == "/?q=1"
    assert request.header("Host") == f"127.0.0.1:{server.port}"
    assert request.header("User-Agent").startswith("Nominee/")


def test_the_allow_list_does_not_open_other_local_addresses(server):
    with pytest.raises(OutboundRefused):
        fetch(server.url("/"))
    with pytest.raises(OutboundRefused):
        fetch(server.url("/"), allow_hosts=frozenset({"10.0.0.1"}))
    assert server.received == []


def test_post_with_body_and_headers(server):
    response = fetch(
        server.url("/"),
        method="POST",
        body=b'{"a": 1}',
        headers={"Content-Type": "application/json", "X-Test": "yes"},
        allow_hosts=LOCAL,
    )
    assert response.ok
    request = server.received[0]
    assert (request.method, request.body) == ("POST", b'{"a": 1}')
    assert request.header("X-Test") == "yes"


def test_the_vetted_address_is_the_one_connected_to(server, names, monkeypatch):
    """DNS rebinding: the name is resolved once, by the guard; the connection never asks
    the system resolver again (it would answer differently the second time)."""
    table, calls = names
    table["rebind.test"] = ["127.0.0.1"]

    real = socket.getaddrinfo

    def no_second_lookup(host, *args, **kwargs):
        assert host != "rebind.test", "the connection resolved the name again"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_second_lookup)
    response = fetch(server.url("/", host="rebind.test"), allow_hosts=frozenset({"rebind.test"}))
    assert response.status == 200
    assert calls == ["rebind.test"]
    assert server.received[0].header("Host") == f"rebind.test:{server.port}"


def test_a_redirect_to_a_forbidden_address_is_refused(server):
    for target in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "file:///etc/passwd",
    ):
        server.routes["/go"] = Reply(302, headers={"Location": target})
        with pytest.raises(OutboundRefused):
            fetch(server.url("/go"), allow_hosts=LOCAL)


def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused(server, names):
    table, _ = names
    table["internal.example"] = ["10.20.30.40"]
    server.routes["/go"] = Reply(301, headers={"Location": "http://internal.example/"})
    with pytest.raises(OutboundRefused) as refused:
        fetch(server.url("/go"), allow_hosts=LOCAL)
    assert "internal.example resolves to 10.20.30.40" in refused.value.reason


def test_redirects_are_followed_up_to_the_limit(server):
    for hop in range(6):
        server.routes[f"/r{hop}"] = Reply(302, headers={"Location": f"/r{hop + 1}"})
    server.routes["/r6"] = Reply(200, b"end")
    response = fetch(server.url("/r1"), allow_hosts=LOCAL)  # 5 redirects
    assert response.body == b"end"
    assert response.final_url == server.url("/r6")
    with pytest.raises(OutboundError) as failed:
        fetch(server.url("/r0"), allow_hosts=LOCAL)  # 6 redirects
    assert failed.value.reason == "more than 5 redirects"
    assert not isinstance(failed.value, OutboundRefused)


def test_no_redirects_returns_the_redirect(server):
    server.routes["/go"] = Reply(302, headers={"Location": "/"})
    response = fetch(server.url("/go"), max_redirects=0, allow_hosts=LOCAL)
    assert response.status == 302
    assert len(server.received) == 1


def test_303_turns_a_post_into_a_get(server):
    server.routes["/form"] = Reply(303, headers={"Location": "/"})
    response = fetch(server.url("/form"), method="POST", body=b"x=1", allow_hosts=LOCAL)
    assert response.body == b"hello"
    assert [(r.method, r.body) for r in server.received] == [("POST", b"x=1"), ("GET", b"")]


def test_credentials_are_not_carried_to_another_host(server, names):
    table, _ = names
    table["other.test"] = ["127.0.0.1"]
    server.routes["/go"] = Reply(302, headers={"Location": server.url("/", host="other.test")})
    fetch(
        server.url("/go"),
        headers={"Authorization": "Bearer x", "X-Keep": "1"},
        allow_hosts=frozenset({"127.0.0.1", "other.test"}),
    )
    first, second = server.received
    assert first.header("Authorization") == "Bearer x"
    assert second.header("Authorization") is None
    assert second.header("X-Keep") == "1"


def test_an_oversized_response_is_refused(server):
    server.routes["/big"] = Reply(200, b"x" * 5000)
    server.routes["/drip"] = Reply(200, b"y" * 5000, chunks=10)  # no Content-Length
    for path in ("/big", "/drip"):
        with pytest.raises(OutboundRefused) as refused:
            fetch(server.url(path), max_bytes=1000, allow_hosts=LOCAL)
        assert refused.value.reason == "the response is larger than 1000 bytes"
    assert fetch(server.url("/big"), max_bytes=5000, allow_hosts=LOCAL).body == b"x" * 5000


def test_a_slow_server_times_out(server):
    server.routes["/slow"] = Reply(200, b"late", delay=1.5)
    with pytest.raises(OutboundError) as failed:
        fetch(server.url("/slow"), timeout=0.3, allow_hosts=LOCAL)
    assert failed.value.reason == "no answer within 0.3 seconds"


def test_an_unreachable_port_is_an_error_not_a_refusal():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(OutboundError) as failed:
        fetch(f"http://127.0.0.1:{port}/", allow_hosts=LOCAL)
    assert not isinstance(failed.value, OutboundRefused)
    assert "could not be reached" in failed.value.reason


def test_error_statuses_are_returned(server):
    server.routes["/fail"] = Reply(500, b"oops")
    response = fetch(server.url("/fail"), allow_hosts=LOCAL)
    assert (response.status, response.ok, response.body) == (500, False, b"oops")


@pytest.fixture
def authority(tmp_path):
    ca = trustme.CA()
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, str(path)


def _tls_server(ca: trustme.CA, name: str, seen: list[str]) -> WebServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    context.sni_callback = lambda sock, server_name, ctx: seen.append(server_name)
    return WebServer({"/": Reply(200, b"secure")}, tls=context)


def test_https_to_a_pinned_address_checks_the_certificate_by_name(authority, names):
    ca, ca_file = authority
    table, _ = names
    table["hooks.example.test"] = ["127.0.0.1"]
    seen: list[str] = []
    with _tls_server(ca, "hooks.example.test", seen) as tls:
        response = fetch(
            tls.url("/", host="hooks.example.test"),
            allow_hosts=frozenset({"hooks.example.test"}),
            ca_certs=ca_file,
        )
        assert response.body == b"secure"
        assert seen == ["hooks.example.test"]  # SNI carries the name, not the address
        assert tls.received[0].header("Host") == f"hooks.example.test:{tls.port}"


def test_https_refuses_a_certificate_for_another_name(authority, names):
    ca, ca_file = authority
    table, _ = names
    table["hooks.example.test"] = ["127.0.0.1"]
    with _tls_server(ca, "someone-else.test", []) as tls:
        with pytest.raises(OutboundError) as failed:
            fetch(
                tls.url("/", host="hooks.example.test"),
                allow_hosts=frozenset({"hooks.example.test"}),
                ca_certs=ca_file,
            )
        assert failed.value.reason.startswith("TLS failed with hooks.example.test")
        assert tls.received == []


def test_https_refuses_an_unknown_authority(authority, names):
    ca, _ = authority
    table, _ = names
    table["hooks.example.test"] = ["127.0.0.1"]
    with _tls_server(ca, "hooks.example.test", []) as tls:
        with pytest.raises(OutboundError) as failed:
            fetch(
                tls.url("/", host="hooks.example.test"),
                allow_hosts=frozenset({"hooks.example.test"}),
            )
        assert "TLS failed" in failed.value.reason


def test_allow_hosts_setting():
    assert outbound.allow_hosts_from({}) == frozenset()
    assert outbound.allow_hosts_from({"OUTBOUND_ALLOW_HOSTS": ["127.0.0.1", "Local.Test."]}) == {
        "127.0.0.1",
        "local.test",
    }
    assert outbound.allow_hosts_from({"OUTBOUND_ALLOW_HOSTS": "a.test, [::1]"}) == {"a.test", "::1"}


def test_received_helper_is_case_insensitive():
    assert Received("GET", "/", {"X-A": "1"}, b"").header("x-a") == "1"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://localhost:8000/", "not 8000"),
        ("https://localhost/", "loopback name"),
        ("https://10.0.0.1/", "private"),
        ("ftp://example.org/", "only http and https"),
    ],
)
def test_check_url_refuses_without_resolving(url, why, names):
    _, calls = names
    with pytest.raises(OutboundRefused) as refused:
        outbound.check_url(url)
    assert why in refused.value.reason
    assert calls == []


def test_check_url_passes_names_and_allowed_hosts(names):
    _, calls = names
    outbound.check_url("https://hooks.example.org/x")
    outbound.check_url("http://127.0.0.1:5000/x", frozenset({"127.0.0.1"}))
    assert calls == []


def test_without_reading_the_body_only_the_status_comes_back(server):
    server.routes["/huge"] = Reply(200, b"z" * 3_000_000)
    server.routes["/to-huge"] = Reply(302, headers={"Location": "/huge"})
    response = fetch(server.url("/to-huge"), read_body=False, max_bytes=10, allow_hosts=LOCAL)
    assert (response.status, response.body) == (200, b"")
    assert response.final_url == server.url("/huge")
