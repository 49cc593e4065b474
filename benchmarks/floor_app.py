"""The floor of ``make bench-http``: a minimal Flask app that renders a template and
queries nothing, served by gunicorn exactly as Nominee is (``benchmarks/http.py``)."""

from flask import Flask, render_template

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main></body>
</html>"""


# Compiled once, as Flask's file templates are: ``render_template_string`` would compile
# the template on every request and make the floor slower than a real page's layout.
TEMPLATE = app.jinja_env.from_string(PAGE)


@app.get("/")
def floor():
    return render_template(TEMPLATE, title="Floor", items=range(10))
