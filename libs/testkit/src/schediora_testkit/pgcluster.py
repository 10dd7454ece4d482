"""A throwaway PostgreSQL cluster of a test's own, which the test may stop and start.

The shared server on 5432 serves every suite on the machine and is never stopped by a test. A
test about a database outage starts one of these instead: `initdb` into a temporary directory
(as the `postgres` OS user when run as root, since initdb refuses root), on a free port,
listening on 127.0.0.1 only, with trust authentication; then the database and the service roles
are created by `schediora_runtime.bootstrap`, as `make db` does. `stop()` is a real server stop
(`pg_ctl stop -m fast`: every connection is cut), `start()` brings the same data back.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from schediora_runtime.bootstrap import bootstrap, role_name
from schediora_testkit.devstack import free_port

POSTGRES_USER = "postgres"


def _bindir() -> Path:
    """The server binaries: `pg_config --bindir`, else Debian's newest /usr/lib/postgresql/N."""
    found = shutil.which("pg_config")
    if found:
        listed = subprocess.run(  # noqa: S603 - pg_config found on PATH
            [found, "--bindir"], capture_output=True, text=True, check=False
        )
        if listed.returncode == 0 and (Path(listed.stdout.strip()) / "initdb").exists():
            return Path(listed.stdout.strip())
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    if not versions:
        raise RuntimeError("no PostgreSQL server binaries (initdb) found")
    return versions[-1].parent


@dataclass
class PrivateCluster:
    directory: Path
    port: int
    bindir: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def admin_url(self) -> str:
        return f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/postgres"

    def database_url(self, service: str, database: str) -> str:
        """SQLAlchemy URL of `database` as the service's own role."""
        return f"postgresql+psycopg://{role_name(service)}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", POSTGRES_USER, "--", *command]
        done = subprocess.run(  # noqa: S603 - the server binaries, our arguments
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{log}")

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", POSTGRES_USER, "--auth=trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """A real stop: the server ends every session and shuts down."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@contextmanager
def private_cluster(database: str, services: list[str]) -> Iterator[PrivateCluster]:
    """A started cluster holding `database` with each service's role and schema; stopped and
    deleted afterwards, whatever happened."""
    directory = Path(tempfile.mkdtemp(prefix="schediora-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, POSTGRES_USER, POSTGRES_USER)
    cluster = PrivateCluster(directory, free_port(), _bindir())
    try:
        cluster.init()
        cluster.start()
        bootstrap(cluster.admin_url(), database, services)
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(Exception):  # the directory goes anyway
                cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
