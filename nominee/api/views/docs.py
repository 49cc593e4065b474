"""The OpenAPI document (``/api/v1/openapi.json``) and the docs page (``/api/docs``):
Swagger UI from the swagger-ui-py package, started by ``static/api-docs.js`` (no inline
script: the app's CSP holds)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from flask import Blueprint, abort, jsonify, render_template, send_from_directory, url_for

from nominee.api import spec as api_spec
from nominee.api.views import bp

SWAGGER_UI = Path(swagger_ui.__file__).parent / "static"
SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(api_spec.document())


@docs_bp.get("")
def page():
    return render_template("api/docs.html", spec_url=url_for("api.openapi_document"))


@docs_bp.get("/swagger-ui/<filename>")
def swagger_file(filename: str):
    if filename not in SWAGGER_FILES:
        abort(404)
    return send_from_directory(SWAGGER_UI, filename, max_age=86400)
