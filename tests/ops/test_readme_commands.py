"""The README's commands run as written (issue 20): every ``flask --app nominee`` command
it names goes through the project's environment (``.venv/bin/flask``, since the ``flask``
of another Python has none of Nominee's libraries), exists, and takes its options; and
every ``make`` target it names is in the Makefile."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import flask.cli
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
COMMAND = re.compile(r"\.venv/bin/flask --app nominee ((?:[a-z][\w-]*)(?: [a-z][\w-]*)?)")


def _commands() -> list[list[str]]:
    """Each distinct command (and sub-command) the README runs, e.g. ['db', 'upgrade']."""
    found = {tuple(match.split()) for match in COMMAND.findall(README)}
    return [list(words) for words in sorted(found)]


def test_the_readme_never_calls_a_bare_flask():
    bare = [line for line in README.splitlines() if re.search(r"(?<![/\w])flask --app", line)]
    assert not bare, f"lines calling `flask` outside .venv: {bare}"


# Flask's own commands, which every ``flask`` has (the app's CLI group does not list them).
FLASK_BUILTINS = {"routes": flask.cli.routes_command, "run": flask.cli.run_command}


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_each_command_the_readme_names_exists(app, words):
    runner = app.test_cli_runner()
    if words[0] in FLASK_BUILTINS:
        result = runner.invoke(FLASK_BUILTINS[words[0]], ["--help"])
        assert result.exit_code == 0, result.output
        return
    # The first word is a command; a second may be its sub-command or an argument.
    result = runner.invoke(args=[*words, "--help"])
    if result.exit_code != 0 and len(words) > 1:
        result = runner.invoke(args=[words[0], "--help"])
    assert result.exit_code == 0, f"`{' '.join(words)}`: {result.output}"
    assert "Usage:" in result.output


def test_each_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([\w-]+):", makefile, re.MULTILINE))
    named = {shlex.split(match)[0] for match in re.findall(r"`make ([\w-]+)[^`]*`", README)}
    assert named, "the README names no make target"
    assert named <= targets, f"targets the Makefile lacks: {sorted(named - targets)}"
