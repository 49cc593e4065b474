"""The SpecTree instance every operation is declared with, and the OpenAPI document.

Why SpecTree: it works on a plain Flask app and blueprint (APIFlask and flask-openapi3
want their own app class, flask-smorest marshmallow schemas), validates with pydantic v2
(the typed models the code already speaks), and writes OpenAPI 3.1. Its own pages (which
load scripts from a CDN) are not registered: ``views.docs`` serves the document and a
Swagger UI from the swagger-ui-bundle package under the app's CSP.
"""

from __future__ import annotations

import copy
from typing import Any

from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from nominee.api.schemas import Problem
from nominee.inputs import INT_MAX

TITLE = "Nominee API"
VERSION = "1.0.0"

spec = SpecTree(
    "flask",
    mode="strict",
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    title=TITLE,
    version=VERSION,
    description=(
        "Nominee's JSON API. Authenticate with a personal access token (create one on "
        "your account's API tokens page) in an `Authorization: Bearer nmn_...` header. "
        "Errors are `application/problem+json` (RFC 9457)."
    ),
    annotations=False,
    validation_error_model=Problem,
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(
                type=SecureType.HTTP, scheme="bearer", description="Personal access token"
            ),
        )
    ],
    security={"bearer": []},
)


def document() -> dict[str, Any]:
    """The OpenAPI document as served: SpecTree's, with errors as problem documents."""
    doc = copy.deepcopy(spec.spec)
    for operations in doc["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"] is None:
                    # ``api_id`` (``framework.IdConverter``): an id a column can hold.
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code.startswith(("4", "5")) and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    return doc
