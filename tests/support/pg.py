"""A real PostgreSQL 15 server for the tests: initdb + pg_ctl in a temp dir on loopback.

The server refuses to run as root, so as root it runs as the `postgres` user (Debian's
package creates it). Tests that need it are skipped, with the reason, only when the server
binaries are not installed (`apt-get install postgresql`; `.ci/run` does).
"""

from __future__ import annotations

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

BIN = Path(os.environ.get("REVIEWLOOP_PG_BIN", "/usr/lib/postgresql/15/bin"))
_names = itertools.count()


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


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
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = _free_port()
    subprocess.run(_as_server_user([str(BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                    "-A", "trust", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-o", options,
                                    "-l", str(folder / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "stop"]), check=False,
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


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
                    "(apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="the `postgres` extra is not installed "
                        "(pip install -e '.[postgres]')")
    with running_server() as url:
        yield url


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A new, empty database on the session's server for one test."""
    return new_database(postgres_server)
