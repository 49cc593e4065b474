"""The floor of ``make bench-http``: a minimal Flask app that renders a template and
queries nothing, served by gunicorn exactly as Nominee is (``benchmarks/http.py``)."""

from flask import Flask, render_template_string

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main></body>
</html>"""


@app.get("/")
def floor():
    return render_template_string(PAGE, title="Floor", items=range(10))
