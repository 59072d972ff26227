from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MSC_DIR = SHARED / "data" / "ctgov-msc"
SEEDS_DIR = SHARED / "seeds"
KEYS_DIR = SHARED / "acceptance" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def need(path: Path) -> Path:
    """Skip (with the reason) when shared data is absent, e.g. in a user's fresh clone."""
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (clone with ../shared beside the repo)")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its folder (unit / integration / regression), so ``-m unit`` selects."""
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in ("unit", "integration", "regression"):
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyzer never touches the network: any socket connection in a test fails."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("network access attempted during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The rule pipeline, built once for the whole test session (the only ``nlp`` fixture)."""
    from nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def trials(nlp):  # type: ignore[no-untyped-def]
    """The five seed records parsed once for the session, by NCT id (the matching and rank tests)."""
    from seed_patients import SEED_FILES

    from nlp.analyze import parse_record
    from nlp.records import read_path

    out = {}
    for nct, name in SEED_FILES.items():
        [rec] = list(read_path(need(SEEDS_DIR) / name))
        out[nct] = parse_record(rec, nlp)
    return out


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for the test session, on the server ``$ELIG_PG_URL``
    names (its role may create databases), dropped at the end: its URL. Unset, the tests skip with
    the reason; required when ELIG_REQUIRE_PG=1 (CI, where .ci/run starts the server)."""
    base = os.environ.get("ELIG_PG_URL")
    if not base:
        if os.environ.get("ELIG_REQUIRE_PG") == "1":
            pytest.fail("ELIG_REQUIRE_PG=1 but ELIG_PG_URL is not set (scripts/pg-test-server.sh start)")
        pytest.skip("no PostgreSQL server: set ELIG_PG_URL (scripts/pg-test-server.sh start)")
    import psycopg
    from psycopg import sql

    name = f"elig_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        pytest.fail(f"ELIG_PG_URL is set but no test database could be made there ({type(exc).__name__}: {exc})")
    yield urlsplit(base)._replace(path=f"/{name}").geturl()
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
