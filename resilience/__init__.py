"""resilience: the emergency planning and COMAH site-resilience register."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from resilience.config import MAX_UPLOAD_BYTES, Settings

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return the web application, configured from the environment (or `test_config`)."""
    # Imported here, not with the package, so that the console commands start without Flask.
    from flask import Flask

    from resilience.storage.database import make_engine, make_sessionmaker

    settings = Settings.from_environment()
    app = Flask(
        __name__,
        instance_path=str(settings.instance),
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        TILE_URL=settings.tile_url,
        TILE_ATTRIBUTION=settings.tile_attribution,
        MAP_INLINE_WARDS_MAX=settings.map_inline_wards_max,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.update(test_config)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessions"] = make_sessionmaker(engine)

    from resilience.web import register_web

    register_web(app)
    return app
