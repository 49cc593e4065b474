"""The email preferences form: one choice of three per kind of notification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wtforms import RadioField

from nominee.i18n import _, _l
from nominee.notifications.kinds import Kind, MailMode
from nominee.web import BaseForm, choices

MODE_CHOICES = [  # (value, label), as WTForms options in ``preferences_form``
    (MailMode.IMMEDIATE.value, _l("Immediately")),
    (MailMode.DIGEST.value, _l("In a daily digest")),
    (MailMode.OFF.value, _l("Not at all")),
]


def field_name(kind: str) -> str:
    return "mode_" + kind.replace(".", "_")


class PreferencesForm(BaseForm):
    """Fields are added per kind by ``preferences_form``. A kind left out of a POST
    keeps its mode."""

    def modes(self, shown: Sequence[Kind]) -> dict[str, MailMode]:
        return {kind.name: MailMode(self[field_name(kind.name)].data) for kind in shown}


def preferences_form(shown: Sequence[Kind], current: Mapping[str, MailMode]) -> PreferencesForm:
    form_class = type("PreferencesForm", (PreferencesForm,), {})
    for kind in shown:
        setattr(
            form_class,
            field_name(kind.name),
            RadioField(
                _(kind.label), choices=choices(MODE_CHOICES), default=current[kind.name].value
            ),
        )
    form = form_class()
    assert isinstance(form, PreferencesForm)
    return form
