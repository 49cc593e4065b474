"""What an import may do and what a CSV file must look like: pure, no database.

The file's columns are documented on the import page and in the README; the values of a
row are checked here only as far as reading them goes (a date that is not a date, a
number that is not a number). What makes a valid contribution is checked by the
contribution services (``contributions.services.contribution_errors``), the same check as
the contribution form's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nominee.accounts.models import User
from nominee.i18n import N_, _, ngettext
from nominee.imports.models import (
    BatchStatus,
    ContributionDraft,
    DraftStatus,
    Feed,
    ImportBatch,
)

MAX_ROWS = 10_000  # per file; a bigger one is refused whole: split it
MAX_LINE = 64 * 1024  # characters per line: a description is at most 5,000
MAX_FEEDS = 20  # per member
CHUNK = 500  # rows read, checked and written at a time: memory stays flat
# A file with more valid rows is imported by a job, not in the request (which a web
# server's timeout would cut: 10,000 rows take tens of seconds on a busy host).
INLINE_ROWS = 1_000

EMAIL = "email"
# The fixed columns, in the template's order, with what each holds.
COLUMNS: list[tuple[str, str]] = [
    # (the help is translated where shown: ``_(text)``)
    ("type", N_("Required. The type's name, e.g. “Blog post” or “Talk at a conference”.")),
    ("title", N_("Required. 3 to 200 characters.")),
    ("date", N_("Required. YYYY-MM-DD, e.g. 2024-05-31; not in the future.")),
    ("url", N_("Optional. A full http:// or https:// address; each link once per member.")),
    ("role", N_("Required when the type lists roles (e.g. Speaker); see the types below.")),
    ("category", N_("Required. The name of an active category.")),
    ("other_categories", N_("Optional. Up to 3 more categories, separated by “;”.")),
    ("visibility", N_("Optional. “public” (the default) or “private”.")),
    ("description", N_("Optional. Markdown, up to 5,000 characters.")),
]
REQUIRED = {"type", "title", "date", "category"}
ALIASES = {"link": "url", "categories": "other_categories", "contributed_on": "date"}
LABELS = {
    "type_id": N_("Type"),
    "role": N_("Role"),
    "title": N_("Title"),
    "contributed_on": N_("Date"),
    "url": N_("Link"),
    "description_md": N_("Description"),
    "primary_category_id": N_("Category"),
    "category_ids": N_("Other categories"),
    "visibility": N_("Visibility"),
    "email": N_("Email"),
}


def can_import_for_members(user: User) -> bool:
    return user.is_authenticated and user.is_organizer


def can_import(batch: ImportBatch) -> bool:
    return batch.status is BatchStatus.STAGED and not batch.file_error and batch.valid_rows > 0


def can_use_batch(user: User, batch: ImportBatch) -> bool:
    """Only its uploader previews, imports or cancels a file (an organizer's file is
    theirs too)."""
    return user.is_authenticated and user.is_active and batch.uploader_id == user.id


def can_manage_feed(user: User, feed: Feed) -> bool:
    return user.is_authenticated and user.is_active and feed.owner_id == user.id


def can_decide_draft(user: User, draft: ContributionDraft) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and draft.owner_id == user.id
        and draft.status is DraftStatus.PENDING
    )


def column_key(name: str) -> str:
    """A header cell as a key: case, spaces, dashes and underscores do not matter."""
    key = re.sub(r"[\s_\-]+", "_", name.strip().lower()).strip("_")
    return ALIASES.get(key, key)


@dataclass(frozen=True)
class Header:
    """The columns of a file: where each fixed column is, and the other columns (reach
    figures, by metric name)."""

    fixed: dict[str, int]
    figures: dict[str, int]  # column_key(metric name) -> position

    def cell(self, row: list[str], name: str) -> str:
        index = self.fixed.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""


def read_header(
    cells: list[str], metric_keys: set[str], *, for_members: bool
) -> tuple[Header | None, str | None]:
    """The header, or the message saying what is wrong with it."""
    fixed: dict[str, int] = {}
    figures: dict[str, int] = {}
    known = {name for name, _ in COLUMNS} | ({EMAIL} if for_members else set())
    unknown = []
    for index, cell in enumerate(cells):
        key = column_key(cell)
        if not key:
            continue
        target = fixed if key in known else figures if key in metric_keys else None
        if target is None:
            unknown.append(cell.strip()[:40])
        elif key in target:
            return None, _("The column “%(name)s” appears twice.", name=cell.strip()[:40])
        else:
            target[key] = index
    if unknown:
        listed = ", ".join(f"“{name}”" for name in unknown[:5])
        return None, ngettext(
            "Unknown column %(names)s: the first line must name the columns of the template "
            "(download it below).",
            "Unknown columns %(names)s: the first line must name the columns of the template "
            "(download it below).",
            len(unknown),
            names=listed,
        )
    missing = sorted((REQUIRED | ({EMAIL} if for_members else set())) - fixed.keys())
    if missing:
        return None, ngettext(
            "The first line must name the column %(names)s: download the template to see them all.",
            "The first line must name the columns %(names)s: download the template to see "
            "them all.",
            len(missing),
            names=", ".join(missing),
        )
    return Header(fixed, figures), None


def parse_date(text: str) -> tuple[date | None, str | None]:
    if not text:
        return None, _("Enter the date of the contribution.")
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, _(
            "“%(text)s” is not a date: write it as YYYY-MM-DD, e.g. 2024-05-31.", text=text[:40]
        )


def parse_whole_number(text: str) -> tuple[int | None, str | None]:
    """A figure: blank is None; "1,200" and "1 200" are 1200."""
    cleaned = re.sub(r"[,\s_]", "", text)
    if not cleaned:
        return None, None
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 15:
        return None, _("“%(text)s” is not a whole number, such as 0 or 12.", text=text[:40])
    return int(cleaned), None


def split_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(";") if name.strip()]


def has_nul(cells: list[str]) -> bool:
    return any("\x00" in cell for cell in cells)
