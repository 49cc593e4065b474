"""``nominee.widgets.Select`` writes the very HTML of WTForms' own ``Select``."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget, html_params
from wtforms.widgets import Select as WTFormsSelect

from nominee import i18n
from nominee.web import choices
from nominee.widgets import ChoiceList, Select

CHOICES = choices([("", "Any"), ("a&b", 'Quote " and <tag>'), ("2", "Two"), (True, "Yes")])


def form(widget, data: dict[str, str], options=CHOICES) -> Form:
    class Pick(Form):
        pick = SelectField("Pick", choices=options, widget=widget)

    return Pick(MultiDict(data))


@pytest.mark.parametrize("data", [{}, {"pick": "2"}, {"pick": "a&b"}, {"pick": "True"}])
def test_the_same_html_as_wtforms(data):
    for kwargs in ({}, {"class_": "wide", "aria_invalid": "true"}):
        ours = form(Select(), data).pick(**kwargs)
        theirs = form(WTFormsSelect(), data).pick(**kwargs)
        assert ours == theirs


def test_options_with_their_own_attributes_go_through_wtforms():
    options = [SelectChoice("1", "One", render_kw={"disabled": True}), SelectChoice("2", "Two")]
    ours = form(Select(), {"pick": "2"}, options).pick()
    assert ours == form(WTFormsSelect(), {"pick": "2"}, options).pick()
    assert "disabled" in ours


def test_options_set_per_form_are_kept_while_they_stay_the_same():
    widget = Select()
    staff = choices([("", "Anyone"), ("1", "Ana <Ruiz>"), ("2", "Bo")])
    for data in ({}, {"pick": "1"}):
        assert form(widget, data, staff).pick() == form(WTFormsSelect(), data, staff).pick()
    assert len(widget._kept) == 1
    renamed = choices([("", "Anyone"), ("1", "Ana Ruiz"), ("2", "Bo")])
    ours = form(widget, {"pick": "2"}, renamed).pick()
    assert ours == form(WTFormsSelect(), {"pick": "2"}, renamed).pick()
    assert ">Ana Ruiz</option>" in ours
    assert len(widget._kept) == 2


def test_fixed_options_are_written_once_per_language():
    widget = Select(fixed=True)
    options = choices([("", "Any"), ("x", i18n.lazy_gettext("Name"))])
    with i18n.reading("en"):
        assert (
            form(widget, {"pick": "x"}, options).pick()
            == form(WTFormsSelect(), {"pick": "x"}, options).pick()
        )
        assert '<option value="">Any</option>' in form(widget, {}, options).pick()
    with i18n.reading("es"):
        spanish = form(widget, {"pick": "x"}, options).pick()
        assert spanish == form(WTFormsSelect(), {"pick": "x"}, options).pick()
        assert '<option selected value="x">Nombre</option>' in spanish
    assert sorted(widget._written) == ["en", "es"]


@pytest.mark.parametrize("data", [[], ["2"], ["a&b", "2"]])
def test_check_boxes_as_wtforms_writes_them(data):
    class Ticks(SelectMultipleField):
        option_widget = CheckboxInput()

    class Boxes(Form):
        ours = Ticks("Ours", choices=CHOICES[:3], widget=ChoiceList("checkbox"))
        theirs = Ticks("Theirs", choices=CHOICES[:3], widget=ListWidget(prefix_label=False))

    form = Boxes(MultiDict([(name, value) for name in ("ours", "theirs") for value in data]))
    assert form.ours().replace("ours", "X") == form.theirs().replace("theirs", "X")


@pytest.mark.parametrize("data", [{}, {"pick": "2"}])
def test_required_radio_buttons_as_wtforms_writes_them(data):
    def radios(widget) -> str:
        class Radios(Form):
            pick = RadioField("Pick", choices=CHOICES[:3], validators=[InputRequired()], **widget)

        return Radios(MultiDict(data)).pick()

    assert radios({"widget": ChoiceList("radio")}) == radios({})
    assert " required " in radios({})


@pytest.mark.parametrize("data", [{}, {"pick": "2"}, {"pick": "a&b"}])
def test_radio_options_write_what_iterating_the_field_writes(data):
    from jinja2 import Environment

    from nominee.widgets import radio_options

    class Pick(Form):
        pick = RadioField("Pick", choices=CHOICES[1:] + [SelectChoice("3", "")])

    field = Pick(MultiDict(data)).pick
    bound = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
        "{% for option in f %}\n"
        '    <label><input type="radio" id="{{ option.id }}" name="{{ f.name }}" '
        'value="{{ option.data }}"{% if option.checked %} checked{% endif %}> '
        "{{ option.label.text }}</label>\n"
        "{% endfor %}\n"
    )
    assert radio_options(field) + "\n" == bound.render(f=field)


@pytest.mark.parametrize("text", ["", 'Says "hi" & <b>bye</b>\nagain', "\n leading"])
def test_text_areas_write_what_wtforms_writes(text):
    from wtforms import TextAreaField
    from wtforms.validators import DataRequired, Length
    from wtforms.widgets import TextArea as WTFormsTextArea

    from nominee.widgets import TextArea, attributes

    def field(widget, validators):
        class Note(Form):
            note = TextAreaField("Note", validators=validators, widget=widget)

        return Note(MultiDict({"note": text})).note

    for validators in ([], [DataRequired(), Length(min=2, max=500)]):
        for kwargs in (
            {},
            {"aria-describedby": "note-help note-error", "aria-invalid": "true"},
            {"class_": 'a"b', "data_x_y": 1, "disabled": False, "readonly": True},
        ):
            ours = field(TextArea(), validators)(**kwargs)
            assert ours == field(WTFormsTextArea(), validators)(**kwargs)
            assert isinstance(ours, Markup)
    assert attributes(for_="x") == html_params(for_="x") == 'for="x"'
