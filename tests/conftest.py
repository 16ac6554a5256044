"""Shared fixtures: a fresh store per test on SQLite, and on PostgreSQL whenever it answers.

PostgreSQL tests use one throwaway database per test run, created here and
dropped at the end; each test starts from empty tables. With ``CI`` set, an
unreachable PostgreSQL fails the run instead of skipping, so CI always
covers both databases.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.users import demo_actors as demo_actors_of
from alignment.company.sample import load_sample
from alignment.edges.store import Store
from alignment.edges.store import open_store
from alignment.records import signing_key
from alignment.records.data_version import clear_every_cache
from alignment.shared import clock
from db import audit_guard
from db import migrate

POSTGRES_SERVER = os.environ.get(
    "SAMEPAGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# CI explores the same examples every run, so a red build can be reproduced; local runs
# explore new ones each time.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
DEMO_TODAY = dt.date(2026, 11, 23)
"""The day every test runs on: the clock is pinned to it (in this process and, through the
environment, in every CLI or app process a test starts), and the demo company is loaded as
of it, so its months are known whatever the real date."""
os.environ[clock.ENVIRONMENT] = DEMO_TODAY.isoformat()
TEST_SIGNING_KEY = "test-signing-key-" + "0" * 32
"""Every store a test opens seals with this key (through the environment, so the CLI and
app processes a test starts read the same); tests of the key file itself unset it."""
os.environ[signing_key.ENVIRONMENT] = TEST_SIGNING_KEY


def _postgres_reason() -> str | None:
    engine = sa.create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return None
    except sa.exc.OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a database created for this test run and dropped afterwards."""
    reason = _postgres_reason()
    if reason is not None:
        message = f"PostgreSQL at {POSTGRES_SERVER} is not reachable: {reason}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must test PostgreSQL)")
        pytest.skip(message)
    name = f"samepage_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_SERVER).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    """Empty every table; rebuild the schema if a test left it at another revision."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            at_head = sa.inspect(conn).has_table("alembic_version") and (
                conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
                == migrate.head_revision()
            )
            if at_head:
                audit_guard.wipe_all(conn)
            else:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


_SQLITE_FILE_FIXTURES = {"demo_url", "team_url", "server", "team_server"}
"""Fixtures of the app and browser tiers: each serves a SQLite file."""
_RAN: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test() -> None:
    """Each test starts with empty read caches, as a new app process does: two tests' stores
    can share a URL and a data version (one PostgreSQL database per worker, the same demo)."""
    clear_every_cache()


@pytest.fixture(autouse=True)
def _tally_database(request: pytest.FixtureRequest) -> None:
    """Mark each test with the database it runs on, for the closing tally."""
    names = set(request.fixturenames)
    callspec = getattr(request.node, "callspec", None)
    if "store_url" in names and callspec is not None and "store_url" in callspec.params:
        request.node.user_properties.append(("database", callspec.params["store_url"]))
    elif names & _SQLITE_FILE_FIXTURES:
        request.node.user_properties.append(("database", "sqlite"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" or "PYTEST_XDIST_WORKER" in os.environ:
        return
    _RAN["all"] += 1
    for key, value in report.user_properties:
        if key == "database":
            _RAN[str(value)] += 1


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """One line: how many tests ran, and how many of them on each database. With
    SAMEPAGE_TEST_TALLY set, the line is appended to that file too (.ci/run repeats it)."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    line = (
        f"Tests that ran: {_RAN['all']}, of them {_RAN['sqlite']} on SQLite and "
        f"{_RAN['postgresql']} on PostgreSQL"
    )
    terminalreporter.write_line(line)
    if tally := os.environ.get("SAMEPAGE_TEST_TALLY"):
        with open(tally, "a", encoding="utf-8") as out:
            out.write(f"{line} [{os.environ.get('SAMEPAGE_TEST_LABEL', 'pytest')}]\n")


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A URL to an empty store; its schema may or may not exist yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'samepage.db'}"
    url = request.getfixturevalue("postgres_database")
    if "demo_store" in request.node.fixturenames:
        template = request.getfixturevalue("postgres_demo_template")
        copy_postgres_demo_into(sa.engine.make_url(url), template)
    else:
        _reset_postgres(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company in a SQLite file, loaded once per test process: a SQLite demo store
    is a copy of it, which takes milliseconds instead of a load."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    template = open_store(f"sqlite:///{path}")
    with template.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
    template.close()
    return path


def copy_demo_into(path: Path, template: Path) -> None:
    """Replace the SQLite file at ``path`` (no connection open) with the demo template."""
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, path)


@pytest.fixture(scope="session")
def postgres_demo_template(postgres_database: str) -> Iterator[str]:
    """The name of a PostgreSQL database holding the demo company, loaded once per test
    process: a PostgreSQL demo store is created from it (CREATE DATABASE ... TEMPLATE),
    which takes tens of milliseconds instead of a load."""
    name = f"samepage_demo_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    template = open_store(sa.engine.make_url(postgres_database).set(database=name))
    with template.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
    template.close()
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_postgres_demo_into(url: sa.engine.URL, template: str) -> None:
    """Replace the database of ``url`` (no connection of ours open) with the demo template."""
    admin = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()


@pytest.fixture
def demo_store(store: Store, request: pytest.FixtureRequest) -> Store:
    """A store holding the demo company, loaded as of DEMO_TODAY: a copy of a template
    loaded once per test process (a file copy on SQLite; on PostgreSQL ``store_url`` made
    the database from the template instead of emptying it)."""
    if store.dialect == "sqlite":
        store.close()
        template = request.getfixturevalue("sqlite_demo_template")
        copy_demo_into(Path(str(store.engine.url.database)), template)
    return store


@pytest.fixture
def demo_actors(demo_store: Store) -> dict[str, Actor]:
    """The demo company's people by role, with their real user ids in this store."""
    with demo_store.session() as session:
        return {str(a.role): a for a in demo_actors_of(session)}
