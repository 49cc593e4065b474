"""The house's layers, as its files are: inside a domain only the views and the forms
speak to the web. (import-linter checks the same from the import graph in ``make lint``;
this names the offending file and line when it fails.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "nominee"
WEB = ("flask", "flask_login", "flask_wtf", "werkzeug", "nominee.web", "nominee.templating")
WEB += ("nominee.uow",)
WEB_FILES = {"views.py", "forms.py"}
# Not domains: the command line's seeding, and the jobs that run the app outside requests.
# The JSON API (nominee/api) is a web layer of its own, like the views: it calls the
# domains' services and queries over HTTP, and is Flask through and through.
NOT_DOMAINS = {"seeding", "jobs", "api"}
DOMAINS = sorted(
    path.name
    for path in PACKAGE.iterdir()
    if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_DOMAINS
)


def _web_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        if any(name == web or name.startswith(f"{web}.") for name in names for web in WEB):
            found.append(f"{path}:{node.lineno}")
    return found


def test_the_domains_are_found():
    assert {"accounts", "awards", "nominations", "reviews", "outbox"} <= set(DOMAINS)


@pytest.mark.parametrize("domain", DOMAINS)
def test_only_views_and_forms_import_the_web(domain: str):
    offenders = [
        line
        for path in sorted((PACKAGE / domain).rglob("*.py"))
        if path.name not in WEB_FILES
        for line in _web_imports(path)
    ]
    assert offenders == []


def test_the_check_sees_a_web_import(tmp_path: Path):
    module = tmp_path / "services.py"
    module.write_text("from flask import current_app\nimport nominee.web\n")
    assert len(_web_imports(module)) == 2
