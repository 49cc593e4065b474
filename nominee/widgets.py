"""Form widgets that write the same HTML as WTForms' own, faster on long lists.

WTForms builds each ``<option>`` through ``html_params`` and a few ``Markup`` objects;
a filter with a hundred actions spent more rendering its pick-lists than the rest of
its page. ``Select`` here writes an option with one f-string, to the same bytes.
Plain Python: no Flask.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.widgets import ListWidget, html_params
from wtforms.widgets import Select as WTFormsSelect
from wtforms.widgets import TextArea as WTFormsTextArea

from nominee import i18n

# An option as written: its value, then its HTML unselected and selected.
Written = tuple[Any, str, str]


class Select(WTFormsSelect):
    """WTForms' single-choice ``Select`` without groups, each option written at once
    (``selected`` then ``value``: the order ``html_params`` sorts them in). Options with
    their own ``render_kw``, groups and ``multiple`` go through WTForms.

    ``fixed``: the field's choices are the ones its class declares, their labels
    translated (never set per form): the options are written once per language and
    kept, as the catalogue they come from is."""

    def __init__(self, multiple: bool = False, *, fixed: bool = False):
        super().__init__(multiple)
        self.fixed = fixed
        self._written: dict[str, list[Written]] = {}
        self._kept: dict[tuple[tuple[Any, Any], ...], list[Written]] = {}

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        written = self._options(field)
        if written is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        html.extend(chosen if coerce(value) == data else plain for value, plain, chosen in written)
        html.append("</select>")
        return Markup("".join(html))

    def _options(self, field: Any) -> list[Written] | None:
        """The field's options as written, or None when WTForms must write them."""
        if self.multiple:
            return None
        if not self.fixed and type(field).iter_choices is SelectField.iter_choices:
            return self._options_of(field._choices_from_input(field.choices) or [])
        if field.has_groups():
            return None
        language = i18n.current().language if self.fixed else ""
        if self.fixed and language in self._written:
            return self._written[language]
        choices = list(field._iter_choices_normalized())
        if any(choice.render_kw for choice in choices):
            return None
        written = [_written(choice.value, choice.label) for choice in choices]
        if self.fixed:
            self._written[language] = written
        return written

    def _options_of(self, choices: list[Any]) -> list[Written] | None:
        """A ``SelectField``'s options (choices set per form, as a pick-list of accounts),
        read in one pass; the same options as the last forms' (plain text) are kept as
        written, since such a list changes far less often than it is shown."""
        if any(choice.optgroup is not None or choice.render_kw for choice in choices):
            return None
        key = tuple((choice.value, choice.label) for choice in choices)
        plain = all(type(value) is str and type(label) is str for value, label in key)
        if plain and (kept := self._kept.get(key)) is not None:
            return kept
        written = [_written(value, label) for value, label in key]
        if plain:
            if len(self._kept) >= KEPT_LISTS:
                self._kept.clear()
            self._kept[key] = written
        return written


# The lists of options a non-fixed ``Select`` keeps written (each form's widget).
KEPT_LISTS = 16


def _written(value: Any, label: Any) -> Written:
    shown = escape(str(value) if isinstance(value, bool) else value)
    text = escape(label or value)
    return (
        value,
        f'<option value="{shown}">{text}</option>',
        (f'<option selected value="{shown}">{text}</option>'),
    )


def attributes(**kwargs: Any) -> Markup:
    """What WTForms' ``html_params`` writes (sorted, ``class_`` and ``aria_`` keys
    cleaned, ``True`` bare, ``False`` left out), with one f-string an attribute rather
    than its ``Markup.format``, which took most of a text field's time."""
    params: list[str] = []
    for key, value in sorted(kwargs.items()):
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        if value is True:
            params.append(escape(key))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


class TextArea(WTFormsTextArea):
    """WTForms' ``TextArea``, its attributes written by ``attributes``."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in self.validation_attrs:
            # A flag not set reads None (``Flags``); WTForms copies only those set.
            value = getattr(flags, key, None)
            if value is not None and key not in kwargs:
                kwargs[key] = value
        return Markup(
            f"<textarea {attributes(name=field.name, **kwargs)}>\r\n"
            f"{escape(field._value())}</textarea>"
        )


class ChoiceList(ListWidget):
    """WTForms' ``ListWidget`` of check boxes or radio buttons (``option_widget``, label
    after the input), each choice written at once instead of bound as a field of its
    own: ``<li><input ...> <label ...>...</label></li>``, the input's attributes in the
    order ``html_params`` sorts them. A field with its own ``render_kw`` or a label
    prefix goes through WTForms."""

    def __init__(self, input_type: str):
        super().__init__(prefix_label=False)
        self.input_type = input_type

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if field.render_kw or self.prefix_label:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        disabled = "disabled " if getattr(flags, "disabled", False) else ""
        required = "required " if getattr(flags, "required", False) else ""
        name = escape(field.name)
        html = [f"<{self.html_tag} {html_params(**kwargs)}>"]
        for index, choice in enumerate(field._iter_choices_normalized()):
            option_id = escape(f"{field.id}-{index}")
            checked = "checked " if choice.selected else ""
            value = escape(choice.value)
            label = escape(choice.label or choice.value)
            html.append(
                f'<li><input {checked}{disabled}id="{option_id}" name="{name}" {required}'
                f'type="{self.input_type}" value="{value}"> '
                f'<label for="{option_id}">{label}</label></li>'
            )
        html.append(f"</{self.html_tag}>")
        return Markup("".join(html))


def radio_options(field: Any, indent: str = "    ") -> Markup:
    """A radio field's choices as ``reviews/_macros.html``'s ``radio_group`` lists them,
    one ``<label><input type="radio" ...> text</label>`` a line: what iterating over the
    field writes (``{% for option in f %}``: its ``id``, ``data``, ``checked`` and label),
    without binding a field per choice (a review form has some thirty of them)."""
    name, coerce, data = escape(field.name), field.coerce, field.data
    # The field's choices as ``iter_choices`` reads them, without a ``Choice`` made each.
    return Markup(
        "\n".join(
            f'{indent}<label><input type="radio" id="{escape(f"{field.id}-{index}")}" '
            f'name="{name}" value="{escape(choice.value)}"'
            f"{' checked' if coerce(choice.value) == data else ''}> "
            f"{escape(choice.label or choice.value)}</label>"
            for index, choice in enumerate(field._choices_from_input(field.choices) or [])
        )
    )
