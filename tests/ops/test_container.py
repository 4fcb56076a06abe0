"""The container and service files.

What runs everywhere: the Dockerfile's shape (stages, a non-root user, only
runtime dependencies, the CJK font), what the build context holds, the
compose file and the systemd unit read as the tools read them, and the
image's entry point run as a real process: it starts `groupkeeper run` on
the community files of the mounted folder, which answers the fake Bot API,
and stops cleanly on SIGTERM.

With a Docker daemon: the image is built and run against the fake Bot API,
and `docker stop` drains what is queued and exits 0. It is skipped when no
daemon answers, or when no base image can be had (no registry is reachable
from the test machines: set GROUPKEEPER_DOCKER_BASE to a local image with
Python 3.11+ to build on).
"""

from __future__ import annotations

import asyncio
import configparser
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config.platforms import PlatformsConfig
from tests.ops.processes import ROOT, community_file, wait
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, MOD, OWNER

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
BASE = os.environ.get("GROUPKEEPER_DOCKER_BASE", "python:3.12-slim-bookworm")


def stages() -> list[str]:
    return re.findall(r"^FROM\s+\S+\s+AS\s+(\w+)", DOCKERFILE, re.M)


def test_the_dockerfile_builds_in_one_stage_and_runs_from_a_slim_one() -> None:
    assert stages() == ["build", "runtime"]
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.\d+-slim", DOCKERFILE, re.M)
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    # Only the built environment crosses over; no compiler, no dev extras.
    assert "COPY --from=build /opt/groupkeeper /opt/groupkeeper" in runtime
    assert "[dev]" not in DOCKERFILE and "gcc" not in runtime
    assert "fonts-wqy-zenhei" in runtime
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and user[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["tini", "--", "groupkeeper-entrypoint"]' in runtime


def test_the_build_context_holds_only_what_the_image_needs() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignore[
        ([line for line in ignore if line and not line.startswith("#")].index("*") and 0) or 0
    ]
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = set(re.findall(r"^COPY (?!--from)(\S+)", DOCKERFILE, re.M)) - {"pyproject.toml"}
    # Everything is left out but what is named back in.
    assert "*" in ignore and {"bot", "rules", "storage", "adapters", "migrations"} <= kept
    for path in copied | {"README.md"}:
        assert path in kept, f"{path} is copied but not in the build context"
    assert not kept & {"tests", ".venv", ".git", "bench", "data"}


def test_compose_runs_the_bot_beside_postgresql_with_secrets_from_an_env_file() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"groupkeeper", "postgres"}
    bot, pg = services["groupkeeper"], services["postgres"]
    assert bot["env_file"] == ".env"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") for v in pg["volumes"]) and "pgdata" in compose["volumes"]
    assert "./config:/config:ro" in bot["volumes"]
    # No secret written into the file itself, only references to .env.
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text
    assert not re.search(r"TOKEN\s*[:=]\s*\S", text)
    grace = int(bot["stop_grace_period"].rstrip("s"))
    assert grace > PlatformsConfig().shutdown_grace.total_seconds()


def test_the_systemd_unit_runs_the_folder_and_stops_with_sigterm() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "groupkeeper.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith(
        "groupkeeper run --config-dir /etc/groupkeeper/communities"
    )
    assert service["User"] != "root"
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > PlatformsConfig().shutdown_grace.total_seconds()
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/groupkeeper/env"
    analyze = shutil.which("systemd-analyze")
    if analyze:
        # Syntax only: the paths it names exist on a server, not here.
        done = subprocess.run([analyze, "verify", str(ROOT / "deploy" / "groupkeeper.service")],
                              capture_output=True, text=True)  # fmt: skip
        assert "Unknown key" not in done.stderr and "Unknown section" not in done.stderr


async def test_the_entrypoint_runs_the_mounted_folder_and_stops_on_sigterm(
    api: FakeBotApi, tmp_path: Path
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    community_file(folder, "community.yaml")
    env = dict(os.environ, TELEGRAM_TOKEN=api.token, GK_TG_BASE_URL=api.base_url,
               GROUPKEEPER_CONFIG_DIR=str(folder), PYTHONPATH=str(ROOT),
               GROUPKEEPER_DB=f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}",
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        "sh", str(ROOT / "deploy" / "entrypoint.sh"), env=env, cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await wait(lambda: api.allowed_updates is not None, 60, "the first poll")
        api.post(GROUP, ANN, "/checkin")
        await wait(lambda: any("+10 points" in t for t in api.sent(GROUP)), 30, "the answer")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    # exec: SIGTERM reached the bot itself, which stopped in order.
    assert process.returncode == 0, err.decode()


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def _daemon() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return _docker("info", timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.fixture(scope="module")
def image() -> str:
    if not _daemon():
        pytest.skip("no Docker daemon answers on this machine")
    if (
        _docker("image", "inspect", BASE).returncode != 0
        and _docker("pull", BASE, timeout=300).returncode != 0
    ):
        pytest.skip(f"no base image {BASE}: no registry reachable (set GROUPKEEPER_DOCKER_BASE)")
    tag = "groupkeeper:test"
    built = subprocess.run(
        ["docker", "build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={BASE}",
         "-t", tag, str(ROOT)],
        capture_output=True, text=True, timeout=1200, env=dict(os.environ, DOCKER_BUILDKIT="0"),
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return tag


async def test_the_image_serves_and_docker_stop_drains_what_is_queued(
    image: str, api: FakeBotApi, tmp_path: Path
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    community_file(folder, "community.yaml")
    folder.chmod(0o755)
    for file in folder.iterdir():
        file.chmod(0o644)
    name = f"groupkeeper-test-{os.getpid()}"
    run = _docker(
        "run", "-d", "--name", name, "--network", "host", "-v", f"{folder}:/config:ro",
        "-e", f"TELEGRAM_TOKEN={api.token}", "-e", f"GK_TG_BASE_URL={api.base_url}",
        "-e", "GROUPKEEPER_DB=sqlite+aiosqlite:////data/gk.db", image,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    try:
        await wait(lambda: api.allowed_updates is not None, 120, "the container's first poll")
        who = _docker("exec", name, "id", "-u")
        assert who.stdout.strip() != "0"
        # The first reply is held back by flood control; docker stop finds
        # the others queued behind it.
        api.flood("sendMessage", times=1, retry_after=1)
        for member in (ANN, BOB, MOD, OWNER):
            api.post(GROUP, member, "/checkin")
        await wait(lambda: api.refused("sendMessage"), 30, "the first reply's 429")
        stop = await asyncio.to_thread(_docker, "stop", "-t", "45", name, timeout=90)
        assert stop.returncode == 0, stop.stderr
        state = _docker("inspect", "-f", "{{.State.ExitCode}}", name)
        logs = _docker("logs", name)
    finally:
        _docker("rm", "-f", name)
    assert state.stdout.strip() == "0", logs.stderr[-3000:]
    assert len([t for t in api.sent(GROUP) if "+10 points" in t]) == 4
    assert api.token not in logs.stdout + logs.stderr
