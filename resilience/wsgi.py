"""The WSGI entry point for a production server: ``gunicorn resilience.wsgi:app``.

Run ``resilience init`` once before starting the server (this module does not migrate), and
run the reminder scheduler as its own single process (``resilience scheduler``), never here.
"""

from __future__ import annotations

from resilience import create_app

app = create_app()
