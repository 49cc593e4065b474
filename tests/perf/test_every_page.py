"""Issue 19: every GET page of the app is benchmarked (``nominee.seeding.scale.pages``, so
``make bench`` times it and ``tests/perf/test_query_counts.py`` budgets its queries), or
is named here with the reason it need not be. A new GET route that is neither fails."""

from __future__ import annotations

from flask import Flask

from nominee.seeding.scale.pages import ROLES, Cast, pages_for

ONE_ROW = "reads the signed-in account or one object, and nothing that grows with the data"
FORM = "a form that reads at most one row and the short lists of its choices"
EXEMPT: dict[str, str] = {
    "static": "files from disk, no database",
    "favicon": "the icon from disk, no database",
    "api_docs.swagger_file": "Swagger UI's files from its package, no database",
    "api_docs.page": "the API docs page: a static page that loads the document",
    "api.openapi_document": "the OpenAPI document, built from the code once per process",
    "api.me": ONE_ROW,
    "api.award": ONE_ROW,
    "api.get_contribution": ONE_ROW,
    "api.get_review": "one review of one nomination (the reviewer's page is benchmarked)",
    "health.healthz": "the health check: one SELECT 1 (measured by make bench-http)",
    "health.readyz": "the readiness check: one SELECT 1 and a Redis ping",
    "directory.awards_index": "a redirect to the awardee directory, no database",
    "accounts.login": FORM,
    "accounts.register": FORM,
    "accounts.forgot_password": FORM,
    "accounts.reset_password": FORM,
    "accounts.verify_email": FORM,
    "accounts.check_inbox": "a static page after registering",
    "accounts.change_email": FORM,
    "accounts.change_password": FORM,
    "preferences.unsubscribe": FORM,
    "appeals.lodge": FORM,
    "appeals.answer": ONE_ROW,
    "awards.decide": ONE_ROW,
    "awards.revoke": FORM,
    "categories.create": FORM,
    "programme.setup": FORM + " (its list: the contribution types)",
    "categories.edit": FORM,
    "contributions.delete": "a confirmation of one contribution",
    "contributions.type_create": FORM,
    "contributions.type_edit": FORM,
    "contributions.metric_create": FORM,
    "contributions.metric_edit": FORM,
    "cycles.create": FORM,
    "cycles.edit": FORM,
    "cycles.move": "a confirmation of one cycle's move",
    "impact.guidance_edit": FORM,
    "nominations.accept": "a confirmation of one nomination",
    "nominations.decline": "a confirmation of one nomination",
    "nominations.withdraw": "a confirmation of one nomination",
    "nominations.nominate": FORM + " (the member search is the nominate page's own)",
    "nominations.evidence": "the nominee's own evidence form: their contributions, capped",
    "reviews.clear_conflict": "a confirmation of one conflict",
    "imports.preview": "a page of 50 staged rows of one file, by the (batch, valid, line) index; "
    "measured with a 10,000-row file by benchmarks/imports.py",
    "imports.draft_edit": FORM,
    "awards.baked_badge": "one award's credential baked into its badge: the two benchmarked"
    " pages (credential JSON, badge PNG) together",
    "credentials.verify_upload": "a form: checks a pasted credential, reads one award",
    "search.members": "a redirect to the member search (benchmarked), reads nothing",
    "webhooks.new": FORM,
}


def _benchmarked() -> set[str]:
    cast = Cast(0, 0, 0, 0, dict.fromkeys(ROLES, ""), 0, 0, 0, 0, [], [], 0)
    return {page.endpoint for page in pages_for(cast) if page.method == "GET"}


def _get_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.endpoint.startswith("_")
    }


def test_every_get_page_is_benchmarked_or_exempt(app: Flask):
    missing = _get_endpoints(app) - _benchmarked() - set(EXEMPT)
    assert not missing, (
        "GET routes neither in nominee/seeding/scale/pages.py nor exempt in this file: "
        + ", ".join(sorted(missing))
    )


def test_no_exemption_is_stale(app: Flask):
    endpoints = _get_endpoints(app)
    stale = {name for name in EXEMPT if name not in endpoints}
    assert not stale, f"exempt endpoints that no longer exist: {sorted(stale)}"
    doubled = set(EXEMPT) & _benchmarked()
    assert not doubled, f"both benchmarked and exempt: {sorted(doubled)}"
