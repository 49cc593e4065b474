"""Nominee: a self-hosted community recognition programme."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    # Flask is imported here, not with the package: a script importing the services
    # (``nominee.<domain>.services``) imports no Flask.
    from nominee.resilience import Nominee

    app = Nominee(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from nominee.config import load_config, validate

    load_config(app, test_config)
    validate(app)
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        # Alembic announces each of its plugins at INFO whenever a command loads it.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from nominee import assets, compression, localization, uow, web
    from nominee.extensions import csrf, limiter, login_manager

    # First registered, so its after-request hook runs last: it compresses the final body.
    compression.init_app(app)
    assets.init_app(app)
    uow.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    localization.init_app(app)
    web.register_input_checks(app)
    web.register_error_handlers(app)
    web.register_request_logging(app)
    web.register_security_headers(app)

    from nominee import cli, health, jobs, migrate, pagecache, receivers, templating
    from nominee.accounts.views import bp as accounts_bp
    from nominee.api.views import bp as api_bp
    from nominee.api.views import docs_bp as api_docs_bp
    from nominee.appeals.views import bp as appeals_bp
    from nominee.auditlog.views import bp as auditlog_bp
    from nominee.awards.views import bp as awards_bp
    from nominee.categories.views import bp as categories_bp
    from nominee.contributions.views import bp as contributions_bp
    from nominee.credentials.views import bp as credentials_bp
    from nominee.cycles.views import bp as cycles_bp
    from nominee.directory.views import bp as directory_bp
    from nominee.endorsements.views import bp as endorsements_bp
    from nominee.home.views import bp as home_bp
    from nominee.impact.views import bp as impact_bp
    from nominee.imports.views import bp as imports_bp
    from nominee.integrity.views import bp as integrity_bp
    from nominee.linkchecks.views import bp as linkchecks_bp
    from nominee.nominations.views import bp as nominations_bp
    from nominee.notifications.views import bp as notifications_bp
    from nominee.outbox.views import bp as outbox_bp
    from nominee.preferences.views import bp as preferences_bp
    from nominee.programme import views as programme_views
    from nominee.reviews.views import bp as reviews_bp
    from nominee.search.views import bp as search_bp
    from nominee.tokens.views import bp as tokens_bp
    from nominee.webhooks.views import bp as webhooks_bp

    receivers.connect()
    templating.init_app(app)
    pagecache.init_app(app)  # its hook serves a kept copy before the settings are read
    programme_views.init_app(app)
    cli.init_app(app)
    migrate.init_app(app)
    jobs.init_app(app)
    for blueprint in (
        home_bp,
        health.bp,
        accounts_bp,
        categories_bp,
        contributions_bp,
        endorsements_bp,
        cycles_bp,
        nominations_bp,
        notifications_bp,
        preferences_bp,
        programme_views.bp,
        awards_bp,
        credentials_bp,
        directory_bp,
        appeals_bp,
        auditlog_bp,
        reviews_bp,
        outbox_bp,
        integrity_bp,
        impact_bp,
        tokens_bp,
        api_bp,
        api_docs_bp,
        imports_bp,
        search_bp,
        webhooks_bp,
        linkchecks_bp,
    ):
        app.register_blueprint(blueprint)
    return app
