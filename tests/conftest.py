"""Fixtures shared by the whole suite: a real database on each backend, the app, and test data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash

from resilience import create_app
from resilience.storage.database import make_engine, make_sessionmaker, migrate
from resilience.storage.models import Base, User
from tests.postgres_server import start_postgres

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# Both backends by default; RESILIENCE_TEST_BACKENDS=sqlite narrows a quick local run.
BACKENDS = os.environ.get("RESILIENCE_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server = start_postgres()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """Return the URL of a migrated, empty database on one backend (tests run on each)."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'template.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty, migrated database of this test's own."""
    if migrated_database.startswith("sqlite:///"):
        # A copy of the migrated template: quicker than emptying, and the audit table's
        # append-only triggers stay in force.
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    yield migrated_database
    engine = make_engine(migrated_database)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        # TRUNCATE does not fire the row triggers that keep the audit table append-only.
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def other_database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    """Return the URL of a second empty, migrated database on the same backend."""
    if migrated_database.startswith("sqlite:///"):
        copy = tmp_path / "other.sqlite3"
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    admin = make_engine(migrated_database)
    name = f"other_{os.getpid()}_{id(tmp_path)}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = migrated_database.rsplit("/", 1)[0] + f"/{name}"
    other = make_engine(url)
    migrate(other)
    other.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    """Point the app's instance folder and DATABASE_URL at this test's own places."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("RESILIENCE_INSTANCE", str(folder))
    monkeypatch.setenv("DATABASE_URL", database_url)
    return folder


@pytest.fixture
def app(instance: Path, engine: Engine, database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": False})
    yield app
    app.extensions["engine"].dispose()


TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Return the hash of TEST_PASSWORD, made once (scrypt is deliberately slow)."""
    return generate_password_hash(TEST_PASSWORD, method="scrypt")


@pytest.fixture
def client_as(
    app: Flask, sessions: sessionmaker[Session], password_hash: str
) -> Callable[[str], FlaskClient]:
    """Return a function giving a test client signed in (through the login page) with a role."""

    def sign_in(role: str) -> FlaskClient:
        email = f"{role}@test.invalid"
        with sessions() as session:
            if session.scalars(select(User).where(User.email == email)).one_or_none() is None:
                session.add(User(email=email, role=role, password_hash=password_hash))
                session.commit()
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return sign_in


@pytest.fixture
def client(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    """Return a client signed in as an emergency planning officer (who may edit the register)."""
    return client_as("officer")


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(instance: Path, engine: Engine) -> CliRunner:
    return CliRunner()
