"""The translation catalogues: extract, update, check. ``python -m nominee.ops.catalogues``.

``update`` (``make messages``): extracts every marked string (``_``, ``gettext``,
``ngettext``, ``pgettext``, ``N_``, ``{% trans %}``) from ``nominee/`` and
``templates/`` into ``nominee/translations/messages.pot``, then brings each language's
``messages.po`` in line with it (new messages empty, vanished ones dropped).

``check`` (``make lint``): extracts afresh and fails, listing them, while a catalogue
misses a message, leaves one untranslated or fuzzy, or keeps one nobody uses any more;
and while a template has text outside a marked string (``unmarked``).

``add LANG`` starts a new language from the template. ``part LANG NAME PATH...`` writes
a working catalogue of the messages under some paths only (one area to translate);
``merge LANG`` updates, then fills the language's catalogue from its parts.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages import pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from nominee import i18n

ROOT = Path(__file__).resolve().parent.parent.parent
MAPPING = i18n.TRANSLATIONS / "babel.cfg"
TEMPLATE = i18n.TRANSLATIONS / "messages.pot"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "_l": None,
    "lazy_gettext": None,
}


def extract() -> Catalog:
    catalog = Catalog(project="Nominee", charset="utf-8")
    with MAPPING.open() as source:
        method_map, options_map = parse_mapping_cfg(source)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
            flags=("python-format",) if _formatted(message) else (),
        )
    return catalog


def _formatted(message: str | tuple[str, ...]) -> bool:
    texts = (message,) if isinstance(message, str) else message
    return any("%(" in text for text in texts)


def catalogue_path(language: str) -> Path:
    return i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def languages() -> list[str]:
    return [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]


def read(path: Path, language: str) -> Catalog:
    with path.open("rb") as source:
        return pofile.read_po(source, locale=language)


def write(path: Path, catalog: Catalog) -> None:
    buffer = BytesIO()
    pofile.write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    template = extract()
    write(TEMPLATE, template)
    for language in languages():
        path = catalogue_path(language)
        catalog = read(path, language) if path.exists() else Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _header(catalog)
        write(path, catalog)


def add(language: str) -> None:
    path = catalogue_path(language)
    if path.exists():
        raise SystemExit(f"{path} exists already")
    catalog = Catalog(locale=language, project="Nominee")
    catalog.update(extract(), no_fuzzy_matching=True)
    _header(catalog)
    write(path, catalog)
    print(f"{path}: translate it, then add {language!r} to LANGUAGES in nominee/i18n.py")


def _header(catalog: Catalog) -> None:
    catalog.project = "Nominee"
    catalog.version = ""
    catalog.fuzzy = False  # a fuzzy header would be left out when compiled


def problems() -> list[str]:
    found = [f"unmarked text: {where}: {text!r}" for where, text in unmarked()]
    template = extract()
    wanted = {
        message.id if isinstance(message.id, str) else message.id[0]: message
        for message in template
        if message.id
    }
    for language in languages():
        path = catalogue_path(language)
        if not path.exists():
            found.append(f"{language}: no catalogue ({path})")
            continue
        catalog = read(path, language)
        for message in template:
            if not message.id:
                continue
            have = catalog.get(message.id, context=message.context)
            label = message.id if isinstance(message.id, str) else message.id[0]
            if have is None:
                found.append(f"{language}: missing {label!r} (make messages)")
            elif have.fuzzy:
                found.append(f"{language}: fuzzy {label!r}")
            elif not _translated(have.string):
                found.append(f"{language}: untranslated {label!r}")
        for message in catalog:
            if message.id and catalog.get(message.id, context=message.context) is not None:
                key = message.id if isinstance(message.id, str) else message.id[0]
                if key not in wanted:
                    found.append(f"{language}: unused {key!r} (make messages)")
    return found


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    texts = [string] if isinstance(string, str) else list(string or ())
    return bool(texts) and all(text.strip() for text in texts)


def unmarked() -> list[tuple[str, str]]:
    from nominee.ops.unmarked import unmarked_in_templates

    return unmarked_in_templates(ROOT / "templates")


def part(language: str, name: str, prefixes: list[str]) -> Path:
    """A working catalogue with just the messages found under ``prefixes`` (files or
    folders), keeping what it has translated already: for translating one area at a
    time (``merge`` brings parts into the language's catalogue)."""
    path = i18n.TRANSLATIONS / language / "LC_MESSAGES" / f"{name}.part.po"
    template = extract()
    chosen = Catalog(locale=language, project="Nominee")
    for message in template:
        if message.id and any(
            filename.startswith(prefix) for filename, _ in message.locations for prefix in prefixes
        ):
            chosen[message.id] = message
    catalog = read(path, language) if path.exists() else Catalog(locale=language)
    catalog.update(chosen, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    _header(catalog)
    write(path, catalog)
    return path


def merge(language: str) -> None:
    """``update``, then fill the language's empty messages from its ``*.part.po`` files,
    and delete the parts."""
    update()
    path = catalogue_path(language)
    catalog = read(path, language)
    parts = sorted(path.parent.glob("*.part.po"))
    for part_path in parts:
        for message in read(part_path, language):
            have = catalog.get(message.id, context=message.context) if message.id else None
            if have is not None and not _translated(have.string) and _translated(message.string):
                have.string = message.string
                have.flags.discard("fuzzy")
    write(path, catalog)
    for part_path in parts:
        part_path.unlink()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "add" and len(argv) == 2:
        add(argv[1])
        return 0
    if command == "part" and len(argv) >= 4:
        print(part(argv[1], argv[2], argv[3:]))
        return 0
    if command == "merge" and len(argv) == 2:
        merge(argv[1])
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        if found:
            print(
                f"{len(found)} translation problems: mark the text, then `make messages` "
                "and translate what it adds"
            )
            return 1
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
