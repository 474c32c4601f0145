"""Root test configuration.

- Qt runs on the ``offscreen`` platform unless ``--onscreen`` is given (must be set before the
  first QApplication exists, hence ``pytest_configure``).
- ``INSTRUCTEUR_DATA_DIR`` (and the XDG config/data homes) point to a session temp dir so
  that no test writes into the real home directory.
- ``pg_server``: a real PostgreSQL server started once per session in a temp dir (lazily).
- ``engine_url``: the URL of a fresh, empty database, once on SQLite and once on PostgreSQL.

Environment:
- ``INSTRUCTEUR_REQUIRE_POSTGRES=1`` or ``CI=true``: a missing/broken PostgreSQL is a test
  failure instead of a skip.
- ``INSTRUCTEUR_PG_BINDIR``: directory holding ``initdb`` and ``pg_ctl`` (overrides the search).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

# --------------------------------------------------------------------------------------------
# Qt platform and isolated data directories
# --------------------------------------------------------------------------------------------

_SESSION_TMP: str | None = None
_SAVED_ENV: dict[str, str | None] = {}
_ISOLATED_VARS = ("INSTRUCTEUR_DATA_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--onscreen",
        action="store_true",
        default=False,
        help="use the real display instead of Qt's offscreen platform",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _SESSION_TMP
    if not config.getoption("--onscreen"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")

    if _SESSION_TMP is None:
        _SESSION_TMP = tempfile.mkdtemp(prefix="instructeur-tests-")
        for var in _ISOLATED_VARS:
            _SAVED_ENV[var] = os.environ.get(var)
        base = Path(_SESSION_TMP)
        for var, sub in zip(_ISOLATED_VARS, ("data", "config", "share"), strict=True):
            (base / sub).mkdir()
            os.environ[var] = str(base / sub)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _SESSION_TMP
    if _SESSION_TMP is None:
        return
    for var, value in _SAVED_ENV.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value
    _SAVED_ENV.clear()
    shutil.rmtree(_SESSION_TMP, ignore_errors=True)
    _SESSION_TMP = None


# --------------------------------------------------------------------------------------------
# PostgreSQL server
# --------------------------------------------------------------------------------------------


def _postgres_required() -> bool:
    def truthy(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}

    return truthy("INSTRUCTEUR_REQUIRE_POSTGRES") or truthy("CI")


def _unavailable(message: str) -> NoReturn:
    """Fail (CI / INSTRUCTEUR_REQUIRE_POSTGRES=1) or skip: PostgreSQL cannot be used."""
    if _postgres_required():
        pytest.fail(f"PostgreSQL required (CI or INSTRUCTEUR_REQUIRE_POSTGRES=1) but: {message}")
    pytest.skip(f"PostgreSQL absent: {message}")


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/bin/", path)
    if not match:
        return (0,)
    return tuple(int(part) for part in match.group(1).split(".") if part)


def _find_pg_bindir() -> Path | None:
    override = os.environ.get("INSTRUCTEUR_PG_BINDIR")
    if override:
        return Path(override)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class PostgresServer:
    """A throw-away PostgreSQL cluster (trust auth, user ``postgres``, 127.0.0.1 only)."""

    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir = bindir
        self.base = base
        self.datadir = base / "data"
        self.sockdir = base / "sock"
        self.logfile = base / "server.log"
        self.port = 0
        self.version = ""
        self._run_as: tuple[int, int] | None = None  # (uid, gid) when started as root

        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: hand the directory to an unprivileged user.
            for name in ("postgres", "nobody"):
                try:
                    entry = pwd.getpwnam(name)
                except KeyError:
                    continue
                self._run_as = (entry.pw_uid, entry.pw_gid)
                break
            else:
                raise RuntimeError("running as root and neither user 'postgres' nor 'nobody' exists")

        self.sockdir.mkdir(parents=True, exist_ok=True)
        if self._run_as is not None:
            uid, gid = self._run_as
            for path in (self.base, self.sockdir):
                os.chown(path, uid, gid)
            os.chmod(self.base, 0o700)

    # -- process helpers ----------------------------------------------------------------------

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self._run_as is not None:
            uid, gid = self._run_as
            kwargs.update(user=uid, group=gid, extra_groups=[])
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": str(self.base),
        }
        return subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )

    def initdb(self) -> None:
        common = ("initdb", "-D", str(self.datadir), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        result = self._run(*common, "--locale=C.UTF-8")
        if result.returncode != 0:
            shutil.rmtree(self.datadir, ignore_errors=True)
            result = self._run(*common, "--no-locale")
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def start(self, attempts: int = 3) -> None:
        last = ""
        for _ in range(attempts):
            self.port = _free_port()
            options = " ".join(
                [
                    "-F",
                    f"-p {self.port}",
                    f"-k {self.sockdir}",
                    "-c listen_addresses=127.0.0.1",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=50",
                    "-c shared_buffers=32MB",
                ]
            )
            result = self._run(
                "pg_ctl", "-w", "-t", "60", "-D", str(self.datadir), "-l", str(self.logfile), "-o", options,
                "start",
            )  # fmt: skip
            if result.returncode == 0:
                self.version = self._server_version()
                return
            last = f"{result.stdout}\n{result.stderr}\n--- server log ---\n{_tail(self.logfile)}"
            if "could not bind" not in last and "already in use" not in last:
                break
        raise RuntimeError(f"pg_ctl start failed:\n{last}")

    def stop(self) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w", timeout=60)

    # -- public API ---------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )

    def _server_version(self) -> str:
        with self._connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else ""

    def create_database(self) -> str:
        """Create an empty database ``t_<hex>`` and return its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex}"
        with self._connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database made by :meth:`create_database` (open connections are terminated)."""
        name = url_or_name.rsplit("/", 1)[-1]
        if not re.fullmatch(r"t_[0-9a-f]{32}", name):
            raise ValueError(f"not a test database: {name!r}")
        with self._connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session, started on first use."""
    bindir = _find_pg_bindir()
    if bindir is None or not (bindir / "initdb").exists() or not (bindir / "pg_ctl").exists():
        _unavailable(
            "no initdb/pg_ctl found (searched /usr/lib/postgresql/*/bin and PATH; "
            "Debian/Ubuntu: apt-get install postgresql)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        _unavailable(f"psycopg is not importable ({exc})")

    base = Path(tempfile.mkdtemp(prefix="instructeur-pg-"))
    server: PostgresServer | None = None
    try:
        server = PostgresServer(bindir, base)
        server.initdb()
        server.start()
    except Exception as exc:  # noqa: BLE001 - reported through fail/skip with the log tail
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
        _unavailable(f"could not start the server from {bindir}: {exc}")
    assert server is not None
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, EMPTY database: SQLite file in tmp_path, or a new PostgreSQL database.

    The PostgreSQL server is only started when a ``postgresql`` case actually runs; the
    database is dropped (connections terminated) after the test.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    url = server.create_database()
    try:
        yield url
    finally:
        # Cleanup only: the whole server is removed at session end anyway.
        with contextlib.suppress(Exception):
            server.drop_database(url)
