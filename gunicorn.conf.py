"""gunicorn settings for ``make serve``; HOST, PORT and WORKERS override them.

The app is preloaded in the master: a configuration the app refuses is reported in
one line before any worker starts, and workers fork from a ready app (the database
engines drop their inherited pools after the fork, see ``nominee/db.py``).
"""

import os

wsgi_app = "nominee:create_app()"
bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"
workers = int(os.environ.get("WORKERS") or min(8, 2 * (os.cpu_count() or 1) + 1))
preload_app = True
timeout = 30
graceful_timeout = 20
# The app logs one structured line per request (logger "nominee.request").
accesslog = None
errorlog = "-"
# No runtime control socket: nothing uses it, and two servers on one host would share it.
control_socket_disable = True
