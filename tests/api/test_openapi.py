"""The OpenAPI document (generated from the code) and the docs page."""

from __future__ import annotations

from openapi_spec_validator import validate

from nominee.web import CSP


def test_the_document_is_openapi_3_1_and_validates(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) >= 12
    for operation in operations:
        errors = operation["responses"]["401"]["content"]
        assert list(errors) == ["application/problem+json"]
        assert operation["description"].startswith("Scope: `"), operation["operationId"]


def test_the_docs_page_loads_swagger_ui_from_the_package_under_the_csp(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CSP
    html = page.data.decode()
    assert "<script>" not in html and 'data-spec-url="/api/v1/openapi.json"' in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/docs/swagger-ui/{asset}" in html
        with client.get(f"/api/docs/swagger-ui/{asset}") as answer:
            assert answer.status_code == 200
    with client.get("/static/api-docs.js") as answer:
        assert answer.status_code == 200
    assert client.get("/api/docs/swagger-ui/index.html").status_code == 404
