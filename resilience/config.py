"""Settings from the environment, with safe defaults, and the instance folder that holds state."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
# Above this many wards the overview map fetches the wards in view instead of carrying them all.
MAP_INLINE_WARDS_DEFAULT = 2000
MAP_INLINE_WARDS_VARIABLE = "RESILIENCE_MAP_INLINE_WARDS"


def map_inline_wards_from_environment() -> int:
    """Return RESILIENCE_MAP_INLINE_WARDS (a whole number, default 2,000); ValueError if not."""
    text = os.environ.get(MAP_INLINE_WARDS_VARIABLE, "").strip() or str(MAP_INLINE_WARDS_DEFAULT)
    if not text.isdigit():
        raise ValueError(f"{MAP_INLINE_WARDS_VARIABLE} must be a whole number, not {text!r}")
    return int(text)


def instance_folder() -> Path:
    """Return the instance folder (`RESILIENCE_INSTANCE`, else ./instance), creating it."""
    folder = Path(os.environ.get("RESILIENCE_INSTANCE", "instance")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _secret_key(folder: Path) -> str:
    """Return SECRET_KEY from the environment, else one generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    instance: Path
    database_url: str
    secret_key: str
    tile_url: str = ""  # an internal tile server; empty means the offline ward base map
    tile_attribution: str = ""
    map_inline_wards_max: int = MAP_INLINE_WARDS_DEFAULT
    smtp: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> Settings:
        """Return settings read from the environment; nothing is required."""
        folder = instance_folder()
        default_db = f"sqlite:///{folder / 'resilience.sqlite3'}"
        return cls(
            instance=folder,
            database_url=os.environ.get("DATABASE_URL", default_db),
            secret_key=_secret_key(folder),
            tile_url=os.environ.get("RESILIENCE_TILE_URL", ""),
            tile_attribution=os.environ.get("RESILIENCE_TILE_ATTRIBUTION", ""),
            map_inline_wards_max=map_inline_wards_from_environment(),
            smtp={
                k: v
                for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "MAIL_FROM")
                if (v := os.environ.get(k, ""))
            },
        )
