"""Settings from the environment (prefix ``PHOTOMANAGER_``) and an optional ``.env`` file.

Nothing here is read at import time: `load_settings()` is called by the composition
root (`bootstrap.py`), the CLI and the tests.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from photomanager.deviantart.endpoints import HOME_FEED, check_feed_path
from photomanager.domain.errors import InvalidInput
from photomanager.domain.templates import DEFAULT_MAX_LENGTH

DEFAULT_DA_BASE_URL = "https://www.deviantart.com"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Settings(BaseSettings):
    """Process configuration. Secrets are `SecretStr`, so they never print."""

    model_config = SettingsConfigDict(
        env_prefix="PHOTOMANAGER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(default=Path("data"), description="Where the database and logs live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data dir."
    )
    da_base_url: str = Field(default=DEFAULT_DA_BASE_URL)
    da_client_id: str | None = None
    da_client_secret: SecretStr | None = None
    da_global_feed_path: str = Field(
        default=HOME_FEED,
        description="The global feed endpoint: DeviantArt's home feed (docs/deviantart.md).",
    )
    da_min_delay_s: float = Field(
        default=1.0,
        ge=0.0,
        description="Least spacing between two DeviantArt requests of one client, in seconds.",
    )
    comment_max_length: int = Field(
        default=DEFAULT_MAX_LENGTH,
        ge=1,
        description="Longest comment text, in characters (templates and edits in review).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    allow_remote: bool = Field(
        default=False, description="Allow binding to a non-loopback address (needs api_token)."
    )
    api_token: SecretStr | None = Field(
        default=None, description="Password required on every request when bound remotely."
    )
    allowed_hosts: tuple[str, ...] = Field(
        default=(), description="Extra Host header values to accept (besides loopback)."
    )
    log_level: str = "INFO"
    run_worker_in_server: bool = Field(
        default=True, description="Run the comment worker thread inside `serve`."
    )

    @field_validator("da_client_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("da_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("da_global_feed_path")
    @classmethod
    def _live_feed(cls, value: str) -> str:
        # Checked at start-up: a removed endpoint would fail every collect with a 404.
        try:
            return check_feed_path(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None

    def resolved_database_url(self, *, sandbox: bool = False) -> str:
        """The database URL; demo (sandbox) runs get their own file so data never mixes."""
        if sandbox:
            return f"sqlite:///{(self.data_dir / 'sandbox.sqlite3').resolve()}"
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'photomanager.sqlite3').resolve()}"

    @property
    def is_configured_for_deviantart(self) -> bool:
        """True when a DeviantArt app (client id) is configured."""
        return self.da_client_id is not None


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (tests, CLI flags)."""
    return Settings(**overrides)  # type: ignore[arg-type]
