#!/usr/bin/env python3
"""Start-up benchmark of the generated shop services (not part of the test suite).

Starts every service of spec-examples/shop/rose.yaml the way `rosec run` does (rosec.run_plan.plan.plan + ServiceGroup:
one by one, called services first) and reports, per service, the time from process start to the first
successful /readyz: interpreter start, imports, settings, broker connection and topology, database pool and
startup hooks, servers. Needs the local RabbitMQ (127.0.0.1:5672, `rabbitmqctl`) and PostgreSQL (127.0.0.1:5432,
trust auth for user postgres); uses a vhost and databases of its own, removed afterwards. Build first
(`rosec build spec-examples/shop/rose.yaml`).

    .venv/bin/python bench/service_start.py                      # 5 rounds
    .venv/bin/python bench/service_start.py --repeat 10 --json bench/results/service_start.json

Each round starts fresh processes (new vhost and databases per round, so the first round's schema creation and
seeding happen every time). Reported: median, min and max over the rounds, and the round total (the sum, since
the services start one after the other).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rosec import run, run_plan  # noqa: E402 - after the path setup, for a checkout without `pip install -e`
from rosec.devissuer.local import generated_secrets  # noqa: E402
from rosec.model.system import System  # noqa: E402
from rosec.pipeline import load_system  # noqa: E402

SHOP = ROOT / "spec-examples" / "shop" / "rose.yaml"
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PORT_OFFSET = 20000  # away from a `rosec run` of the shop on its own ports


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


async def postgres(*statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def infrastructure(system: System) -> Iterator[dict[str, str]]:
    """A vhost, one database per postgres datastore, directories for volumes: the override layer for them."""
    tag = uuid.uuid4().hex[:10]
    vhost = f"rosec-bench-{tag}"
    stores = [d for d in system.datastores if d.engine == "postgres"]
    databases = {d.name: f"rosec_bench_{tag}_{d.database}" for d in stores}
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    asyncio.run(postgres(*(f'CREATE DATABASE "{name}"' for name in databases.values())))
    try:
        with tempfile.TemporaryDirectory(prefix="rosec-bench-") as scratch:
            overrides = {"AMQP_URL": f"amqp://guest@127.0.0.1:5672/{vhost}", "AMQP_PASSWORD": "guest",
                         "PAYMENT_PROVIDER_API_KEY": "bench", "SMTP_PASSWORD": "bench"}
            for store in stores:
                overrides[store.url_env] = f"postgresql://postgres@127.0.0.1:5432/{databases[store.name]}"
                overrides[store.password_env] = "unused-with-trust-auth"
            for store in (d for d in system.datastores if d.engine == "volume"):
                overrides[store.url_env] = str(Path(scratch) / store.name)
            yield overrides
    finally:
        asyncio.run(postgres(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in databases.values())))
        rabbitmqctl("delete_vhost", vhost)


def one_round(system: System) -> dict[str, float]:
    with infrastructure(system) as overrides:
        processes = run_plan.plan(system, ROOT, layers=[generated_secrets(system), overrides], port_offset=PORT_OFFSET)
        with run.ServiceGroup(processes, output=lambda name, line: None) as group:
            return group.ready_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args()
    os.chdir(ROOT)
    system = load_system(SHOP)
    rounds = []
    for number in range(1, options.repeat + 1):
        seconds = one_round(system)
        rounds.append(seconds)
        print(f"round {number}: " + ", ".join(f"{name} {value:.2f} s" for name, value in seconds.items()),
              flush=True)
    names = list(rounds[0])
    print(f"\nprocess start -> first successful /readyz over {len(rounds)} rounds "
          f"(python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}):")
    print(f"{'service':<14} {'median':>8} {'min':>8} {'max':>8}")
    summary = {}
    for name in [*names, "total"]:
        values = [sum(r.values()) if name == "total" else r[name] for r in rounds]
        summary[name] = {"median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
                         "max_s": round(max(values), 3), "runs_s": [round(v, 3) for v in values]}
        print(f"{name:<14} {statistics.median(values):>7.2f}s {min(values):>7.2f}s {max(values):>7.2f}s")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps({"python": platform.python_version(), "cpus": os.cpu_count(),
                                            "loadavg": os.getloadavg(), "services": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
