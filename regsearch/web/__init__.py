"""The public web front end: `create_app()` builds a Flask app over one `SearchService`
(each request reads one snapshot of the index, see `state`).

Pages and their JSON twins are two blueprints over the same service; both are
read-only GET routes. Configuration comes from `REGSEARCH_*` environment
variables (e.g. `REGSEARCH_INDEX`), then from the `config` argument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from regsearch.search.provenance import SAMPLE_COLLECTIONS
from regsearch.web.params import DEFAULT_LIMITS


def assets_dir() -> Path:
    """Templates and static files: the installed copy, else the source tree's top-level `web/`."""
    package_root = Path(__file__).resolve().parent.parent
    installed = package_root / "webroot"
    if (installed / "templates").is_dir():
        return installed
    return package_root.parent / "web"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app factory. `config["SERVICE"]` may hand in an existing service (tests, the CLI)."""
    assets = assets_dir()
    app = Flask(
        __name__,
        template_folder=str(assets / "templates"),
        static_folder=str(assets / "static"),
    )
    app.config.from_mapping(
        INDEX=None,
        # The site's public address, for citations people copy (never the request's Host).
        BASE_URL=None,
        SAMPLE_COLLECTIONS=sorted(SAMPLE_COLLECTIONS),
        JSON_AS_ASCII=False,
        CSP=(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
    )
    app.config.update(DEFAULT_LIMITS)
    app.config.from_prefixed_env("REGSEARCH")
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if app.config.get("SERVICE") is not None:
        app.extensions["regsearch.service"] = app.config["SERVICE"]

    from regsearch.web import api, errors, filters, pages, state

    state.register(app)
    filters.register(app)
    errors.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    from regsearch.web import writeside  # accounts, editing, review, updates (issue 13)

    writeside.init_app(app)
    return app
