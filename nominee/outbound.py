"""Outbound HTTP requests, guarded against server-side request forgery (SSRF).

Every request Nominee makes on behalf of a user (webhook deliveries, evidence link checks,
feed polling) goes through :func:`fetch`, which:

- accepts only ``http`` and ``https`` URLs on ports 80 and 443, without user name or password;
- resolves the host name itself and refuses it when any of its addresses is loopback, private,
  link-local (169.254.169.254, the cloud metadata service, included), shared (CGNAT),
  multicast, unspecified, reserved or otherwise not public; IPv4 addresses written inside IPv6
  ones (``::ffff:127.0.0.1``, NAT64, 6to4, Teredo) are judged by the address they carry;
- connects to the very address it vetted (no second resolution, so a name cannot answer a
  public address to the check and a private one to the connection: DNS rebinding), while
  sending the host name in the ``Host`` header and, for https, in TLS SNI and checking the
  certificate against the host name;
- checks every redirect's target the same way (at most ``max_redirects``);
- gives up after ``timeout`` seconds in all (connecting, waiting and reading) and stops reading
  past ``max_bytes``.

Hosts in ``allow_hosts`` (names or addresses, the ``OUTBOUND_ALLOW_HOSTS`` setting) skip the
address and port checks: the tests reach their servers on 127.0.0.1 this way.

Framework-free: a job, a command or a test calls it with plain values.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import SSLError as Urllib3SSLError

DEFAULT_TIMEOUT = 10.0  # seconds, for the whole exchange including redirects
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
USER_AGENT = "Nominee/1.0 (+outbound)"
SCHEMES = {"http": 80, "https": 443}
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Dropped when a redirect leaves the origin the caller addressed.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_PRIVATE = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """The request could not be completed (network, TLS, timeout, too many redirects...).

    ``reason`` is one plain sentence, safe to show to the user who configured the URL.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutboundRefused(OutboundError):
    """The guard refused the request: a forbidden scheme, port or address, or an
    oversized response. Nothing was sent (or, for the size, nothing more was read)."""


class OutboundTooLarge(OutboundRefused):
    """The response was larger than ``max_bytes``: reading stopped there."""


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: Mapping[str, str]  # names case-insensitive
    body: bytes
    final_url: str
    elapsed: float  # seconds, the whole exchange

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def allow_hosts_from(config: Mapping[str, object]) -> frozenset[str]:
    """The ``OUTBOUND_ALLOW_HOSTS`` setting (a list of names or addresses) as a set."""
    raw = config.get("OUTBOUND_ALLOW_HOSTS") or ()
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split()]
    if not isinstance(raw, Iterable):
        return frozenset()
    return frozenset(_normal_host(str(host)) for host in raw if str(host).strip())


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (A and AAAA), as the operating system resolves them."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"{host} could not be resolved ({exc})") from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    return addresses


# Tests replace this to make a name resolve to the address they need.
resolve: Resolver = system_resolver


def refusal_for_address(address: IPAddress) -> str | None:
    """Why ``address`` may not be reached, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = _carried_ipv4(address)
        if carried is not None:
            why = refusal_for_address(carried)
            return f"{address} carries {why}" if why else None
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_link_local:
        if str(address) == "169.254.169.254":
            return f"{address} is the cloud metadata address (link-local)"
        return f"{address} is a link-local address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return f"{address} is a shared (carrier-grade NAT) address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return f"{address} is a site-local address"
    if any(address in net for net in _PRIVATE):
        return f"{address} is a private address"
    if address.is_reserved or address.is_private or not address.is_global:
        return f"{address} is a reserved address"
    return None


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # as the URL names it, lower case, without brackets
    port: int
    address: str  # the vetted address to connect to
    path: str  # path and query, for the request line


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def check_url(url: str, allow_hosts: frozenset[str] = frozenset()) -> None:
    """Check what can be checked of ``url`` without resolving its name (scheme, port, an
    address written in it): for forms, which should not wait on DNS. Raises
    :class:`OutboundRefused`; :func:`fetch` checks the resolved addresses too."""
    _vet(url, frozenset(_normal_host(h) for h in allow_hosts), None)


def _vet(url: str, allow_hosts: frozenset[str], resolver: Resolver | None) -> _Target:
    """Check ``url`` against the rules and pin the address to connect to (without a
    ``resolver``, a name is not resolved, and the target's address is the name)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"{url!r} is not a valid address ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise OutboundRefused(f"only http and https addresses are fetched, not {scheme or 'none'}")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("addresses with a user name or password are not fetched")
    host = _normal_host(parts.hostname or "")
    if not host:
        raise OutboundRefused(f"{url!r} names no host")
    port = port if port is not None else SCHEMES[scheme]
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if host in allow_hosts:
        addresses = [host] if resolver is None or literal is not None else resolver(host, port)
    elif literal is not None and (why := refusal_for_address(literal)):
        raise OutboundRefused(why)
    elif port not in (80, 443):
        raise OutboundRefused(f"only ports 80 and 443 are reached, not {port}")
    elif literal is not None:
        addresses = [host]
    elif resolver is None:
        # check_url: a name is judged by its addresses when it is fetched.
        if host == "localhost" or host.endswith(".localhost"):
            raise OutboundRefused(f"{host} is a loopback name")
        addresses = [host]
    else:
        addresses = resolver(host, port)
        if not addresses:
            raise OutboundError(f"{host} has no address")
        if not all(_normal_host(a) in allow_hosts for a in addresses):
            for address in addresses:
                try:
                    why = refusal_for_address(ipaddress.ip_address(address))
                except ValueError:
                    why = f"{address!r} is not an address"
                if why:
                    raise OutboundRefused(f"{host} resolves to {why}")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme, host, port, addresses[0], path)


def _host_header(target: _Target) -> str:
    name = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != SCHEMES[target.scheme]:
        return f"{name}:{target.port}"
    return name


def _pool(target: _Target, remaining: float, ca_certs: str | None) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=remaining, read=remaining)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(
        target.address, target.port, timeout=timeout, retries=False, maxsize=1
    )


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_hosts: frozenset[str] = frozenset(),
    ca_certs: str | None = None,
    read_body: bool = True,
) -> OutboundResponse:
    """Make one request through the guard; follow up to ``max_redirects`` redirects.

    Raises :class:`OutboundRefused` when a rule forbids the request (or the response
    is larger than ``max_bytes``) and :class:`OutboundError` when it fails. A response
    with any status, 4xx and 5xx included, is returned. ``ca_certs`` replaces the
    system's certificate authorities (tests). Without ``read_body`` the final answer's
    body is not read (the connection is closed after its headers): for a link check.
    """
    allow = frozenset(_normal_host(h) for h in allow_hosts)
    started = time.monotonic()
    deadline = started + timeout
    current_url = url
    current_method = method.upper()
    current_body = body
    sent = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
    sent.setdefault("User-Agent", USER_AGENT)
    origin: tuple[str, str, int] | None = None
    for hop in range(max_redirects + 1):
        target = _vet(current_url, allow, resolve)
        if origin is None:
            origin = (target.scheme, target.host, target.port)
        elif origin != (target.scheme, target.host, target.port):
            sent = {k: v for k, v in sent.items() if k.lower() not in CREDENTIAL_HEADERS}
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise OutboundError(f"no answer within {timeout:g} seconds")
        status, answer_headers, answer = _exchange(
            target,
            current_method,
            {**sent, "Host": _host_header(target)},
            current_body,
            deadline,
            max_bytes,
            ca_certs,
            timeout,
            read_body,
        )
        location = answer_headers.get("location")
        if status in REDIRECTS and location and max_redirects > 0:
            if hop == max_redirects:
                raise OutboundError(f"more than {max_redirects} redirects")
            current_url = urljoin(current_url, location)
            if status == 303 or (status in (301, 302) and current_method == "POST"):
                current_method = "GET" if current_method != "HEAD" else "HEAD"
                current_body = None
                sent = {k: v for k, v in sent.items() if k.lower() != "content-type"}
            continue
        return OutboundResponse(
            status=status,
            headers=answer_headers,
            body=answer,
            final_url=current_url,
            elapsed=time.monotonic() - started,
        )
    raise OutboundError(f"more than {max_redirects} redirects")  # pragma: no cover


def _exchange(
    target: _Target,
    method: str,
    headers: dict[str, str],
    body: bytes | None,
    deadline: float,
    max_bytes: int,
    ca_certs: str | None,
    timeout: float,
    read_body: bool = True,
) -> tuple[int, urllib3.HTTPHeaderDict, bytes]:
    pool = _pool(target, deadline - time.monotonic(), ca_certs)
    try:
        response = pool.urlopen(
            method,
            target.path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            if not read_body and response.status not in REDIRECTS:
                return response.status, response.headers, b""
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise OutboundTooLarge(f"the response is larger than {max_bytes} bytes")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.stream(CHUNK, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    raise OutboundTooLarge(f"the response is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise OutboundError(f"no complete answer within {timeout:g} seconds")
                chunks.append(chunk)
            return response.status, response.headers, b"".join(chunks)
        finally:
            response.release_conn()
            response.close()
    except OutboundError:
        raise
    except Urllib3SSLError as exc:
        raise OutboundError(f"TLS failed with {target.host}: {_cause(exc)}") from None
    except (Urllib3Error, OSError) as exc:
        if "timed out" in str(exc).lower():
            raise OutboundError(f"no answer within {timeout:g} seconds") from None
        raise OutboundError(f"{target.host} could not be reached: {_cause(exc)}") from None
    finally:
        pool.close()


def _cause(exc: BaseException) -> str:
    """The innermost message of a urllib3 error, which wraps the socket's or ssl's."""
    inner: BaseException = exc
    while True:
        nested = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if not isinstance(nested, BaseException) or nested is inner:
            break
        inner = nested
    return str(inner) or type(inner).__name__
