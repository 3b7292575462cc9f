"""Where the store lives and how transactions run.

SQLite is the embedded default: `$PLANNER_DATA_DIR/planner.db` (default `./data`), in WAL
mode with foreign keys on and a busy timeout, so readers never block and writers queue.
`PLANNER_DATABASE_URL` selects another database, normally PostgreSQL
(`postgresql://user:password@host:5432/planner`, driven by psycopg 3).

Every write is one transaction. On SQLite a write transaction starts with
`BEGIN IMMEDIATE`: it takes the write lock up front, so two writers queue on the busy
timeout instead of failing half-way when a read turns into a write. Opening a store runs
the Alembic migrations up to the newest revision (configured in code; there is no
alembic.ini).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from planner.store.errors import AccessDenied, BusyError

DATA_DIR_ENV = "PLANNER_DATA_DIR"
DATABASE_URL_ENV = "PLANNER_DATABASE_URL"
DEFAULT_DATA_DIR = Path("data")
DB_FILE = "planner.db"
BUSY_TIMEOUT_S = 30.0
SESSION_HOURS = 12.0
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Key of the PostgreSQL advisory lock held while migrating (any fixed number will do).
_MIGRATION_LOCK = 7_202_211_20


def data_directory(data_dir: str | Path | None = None) -> Path:
    """The app's data directory: `data_dir`, else `$PLANNER_DATA_DIR`, else `./data`."""
    return Path(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def database_url(url: str | None = None, *, data_dir: str | Path | None = None) -> str:
    """The database to use: `url`, else `$PLANNER_DATABASE_URL`, else the SQLite file.

    `postgresql://` and `postgres://` URLs are given the psycopg 3 driver.
    """
    url = url or os.environ.get(DATABASE_URL_ENV) or None
    if url is None:
        return f"sqlite:///{(data_directory(data_dir) / DB_FILE).as_posix()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _private_database_file(path: Path) -> None:
    """The plan is confidential until election day: the store's folder is created 0700,
    and the database file 0600 before SQLite first opens it, so its -wal and -shm files,
    which SQLite gives the database file's permissions, are private too. A store made
    world-readable by an earlier version is made private again."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.stat().st_mode & 0o077 and file.stat().st_uid == os.getuid():
                file.chmod(0o600)
        except FileNotFoundError:
            continue


def _sqlite_engine(url: str, *, busy_timeout_s: float) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        _private_database_file(Path(database))
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_s},
        pool_size=10,
        max_overflow=30,
        pool_timeout=busy_timeout_s,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module; `_on_begin` sends the right one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("planner_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_s=busy_timeout_s)
    return create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True)


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration, built in code (for `alembic.command.*`).

    With `connection`, migrations run on it, inside its transaction.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision` in one transaction (safe to run concurrently)."""
    from alembic import command

    with engine.execution_options(planner_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return MigrationContext.configure(conn).get_current_revision()


# PostgreSQL: serialization failure, deadlock detected, lock not available.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def _is_busy(exc: OperationalError) -> bool:
    """Errors after which nothing was written and the same call may simply be retried."""
    if getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


class Store:
    """An open store: the engine plus the settings every service function needs.

    `clock` gives the current time (tests move it forward to expire sessions and locks);
    `hasher` hashes passwords (Argon2id).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] | None = None,
        hasher: PasswordHasher | None = None,
        session_ttl: timedelta = timedelta(hours=SESSION_HOURS),
    ) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.hasher = hasher or PasswordHasher()
        self.session_ttl = session_ttl
        self._writer = engine.execution_options(planner_write=True)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> datetime:
        return self.clock()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: one consistent snapshot, rolled back at the end."""
        with self._transaction(self.engine, commit=False) as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self._transaction(self._writer, commit=True) as session:
            yield session

    @contextlib.contextmanager
    def _transaction(self, bind: Engine, *, commit: bool) -> Iterator[Session]:
        denied: AccessDenied | None = None
        try:
            with Session(bind, expire_on_commit=False, autoflush=False) as session:
                try:
                    yield session
                    if commit:
                        session.commit()
                    else:
                        session.rollback()
                except BaseException:
                    session.rollback()
                    raise
        except AccessDenied as exc:
            denied = exc
            raise
        except OperationalError as exc:
            if _is_busy(exc):
                raise BusyError("the database is busy; nothing was saved, try again") from exc
            raise
        finally:
            # Refused attempts are audited in a transaction of their own, after the one
            # that was refused has been rolled back.
            if denied is not None and denied.action:
                from planner.store.audit import record_denial

                record_denial(self, denied)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    url: str | None = None,
    *,
    data_dir: str | Path | None = None,
    upgrade: bool = True,
    busy_timeout_s: float = BUSY_TIMEOUT_S,
    **options: Any,
) -> Store:
    """Open (and, unless `upgrade=False`, create or migrate) the store.

    `url` defaults to `$PLANNER_DATABASE_URL`, else SQLite under `data_dir`
    (default `$PLANNER_DATA_DIR`, else `./data`). `options` go to `Store`.
    """
    engine = make_engine(database_url(url, data_dir=data_dir), busy_timeout_s=busy_timeout_s)
    try:
        if upgrade:
            migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, **options)
