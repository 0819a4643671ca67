#!/usr/bin/env python3
"""Cold-start benchmark of the rosec command line (not part of the test suite).

Generates synthetic, valid rose.yaml specs of several sizes into a temporary
directory and times `rosec validate`, `rosec build -o DIR` and `rosec check -o DIR`
on each, plus `rosec validate spec-examples/shop/rose.yaml`. Every run is a fresh
subprocess, so interpreter start and imports are included: that is what a user
and CI pay.

`check` runs as in CI, without the build record a local build leaves (.rosec/).
Builds are timed three ways: `build` from nothing (output and handlers removed
before each run), `build-noop` (the same spec again over its own output: nothing
may change) and `build-incremental` (one endpoint of one service changed between
runs, alternately added and removed). For the last two the table also shows how
many files each run wrote or removed (compared by inode and mtime, so a rewrite
with the same bytes counts). `build-core` builds from nothing only the targets a
full build had when issue 6 set its 6 s aim (CORE_TARGETS), and `build-compose`
only Compose: both load and check the whole spec.

    .venv/bin/python bench/bench.py                      # sizes 10,100,1000, 3 repeats
    .venv/bin/python bench/bench.py --sizes 10,100 --repeat 5 --json bench/results/run.json
    .venv/bin/python bench/bench.py --keep /tmp/specs    # keep the generated specs

Reported per measurement: median wall time over --repeat runs, the median CPU time
(user + sys) of the child, which other load on the machine distorts less, the median of
its kernel (sys) part, which shows when the file system slows the writes down, and its
peak resident memory (max RSS, from os.wait4). Aims are printed beside the figures with
PASS/MISS. Children run in the scratch directory; `build` writes generated/bench/ and
scaffolds handlers under it, and both are moved out of the way before every timed
`build` (into a trash directory deleted at the end: on ext4 without a journal, as
on these machines, a file created within minutes of thousands of deletions costs
far more kernel time, which would be charged to the build that follows, not to the
one that deleted them; see disk_probe_seconds). Every timed run starts after os.sync(): the
hundreds of megabytes an earlier build left in the page cache are on disk before
the next one starts.

Children run with Python's bytecode cache in use (PYTHONDONTWRITEBYTECODE is
removed from their environment) and after one untimed warm-up build, as after
`pip install`, which compiles every module: otherwise every run would compile
rosec and its libraries from source. The warm-up also fills rosec's cache of compiled
templates (rosec/emit/template_cache.py), which every build after a user's first one
reads. The header line also gives a reference time
of a fixed pure-Python loop, so that figures taken on machines of different speed
(or on one machine whose speed varies) can be compared, and the time to create 2,000
small files, which shows when the file system is in one of its slow spells.

To benchmark a frozen copy of the compiler while the working tree changes:

    cp -r rosec /tmp/snap/ && .venv/bin/python bench/bench.py \
        --rosec "env PYTHONPATH=/tmp/snap $PWD/.venv/bin/python -m rosec"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from rosec.forked import usable_cpus

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "spec-examples" / "shop" / "rose.yaml"

AIMS = {
    # (command, size) -> seconds; size "shop" is the example spec.
    ("validate", "shop"): 0.3,
    ("build", 1000): 6.0,  # every target, from nothing (issue 6; was 10 s in issue 3)
    ("build-compose", 1000): 5.0,  # the compiler core with its first target, Compose (issue 2)
    ("build-noop", 1000): 1.0,  # the same spec again: renders nothing, writes nothing (issue 6)
}
BUILD_MODES = ("build-noop", "build-incremental")
# What a full build wrote when issue 6 set the 6 s aim (12,023 files at 1000 services): the services' code, the
# runtime, the messaging topology and Compose. `build-core` times them alone, beside the build of every target.
CORE_TARGETS = ("compose", "runtime", "services", "messaging")


# -- synthetic specs -------------------------------------------------------------------------

def _svc(i: int) -> str:
    return f"svc-{i:04d}"


def _msg(i: int) -> str:
    return f"S{i:04d}"


def _event(i: int) -> str:
    return f"svc{i:04d}.item_changed"


def synthetic_spec(n: int, variant: bool = False) -> dict[str, Any]:
    """A valid spec with n services that exercises every construct at realistic density.

    Service i: 4 REST endpoints (POST/GET/GET list/DELETE) over its own messages and an enum;
    every 4th service also has 2 gRPC methods (one server-streaming); every service publishes
    one event, and consumes the events of up to two lower-indexed services; every 3rd owns a
    postgres datastore, every 10th a volume; every 2nd has a gateway route /api/svc-NNNN; a
    service calls at most two services with a lower index (so sync calls form no cycle).
    With `variant`, one endpoint of the middle service has one more query parameter (an incremental change).
    """
    messages: dict[str, Any] = {
        "Money": {"fields": {"amount": "decimal", "currency": "string"}},
        "Audit": {"fields": {"created_at": "datetime", "created_by": "optional[uuid]", "day": "date"}},
    }
    events: dict[str, Any] = {}
    datastores: dict[str, Any] = {}
    services: dict[str, Any] = {}
    prod_overrides: dict[str, Any] = {}
    for i in range(1, n + 1):
        name, m = _svc(i), _msg(i)
        messages[f"{m}Status"] = {"enum": ["draft", "active", "archived"]}
        messages[f"{m}Item"] = {
            "description": f"An item of {name}",
            "fields": {
                "id": "uuid",
                "title": "string",
                "price": "Money",
                "quantity": "int",
                "weight": "float",
                "active": "bool",
                "status": f"{m}Status",
                "tags": "list[string]",
                "attributes": "map[string, string]",
                "audit": "Audit",
                "thumbnail": "optional[bytes]",
            },
        }
        messages[f"{m}NewItem"] = {"fields": {"title": "string", "price": "Money", "tags": "list[string]"}}
        messages[f"{m}ItemList"] = {"fields": {"items": f"list[{m}Item]", "next_page": "optional[string]"}}
        events[_event(i)] = {"message": f"{m}Item", "description": f"An item of {name} changed"}

        service: dict[str, Any] = {
            "description": f"Synthetic service number {i}",
            "rest": [
                {"method": "POST", "path": "/items", "request": f"{m}NewItem", "response": f"{m}Item",
                 "roles": ["editor"], "summary": "Create an item"},
                {"method": "GET", "path": "/items/{id}", "params": {"id": "uuid"}, "response": f"{m}Item",
                 "roles": ["viewer", "editor"]},
                {"method": "GET", "path": "/items",
                 "query": {"status": f"optional[{m}Status]", "limit": "optional[int]", "tag": "list[string]"},
                 "response": f"{m}ItemList", "public": True},
                {"method": "DELETE", "path": "/items/{id}", "params": {"id": "uuid"}, "roles": ["admin"]},
            ],
            "publishes": [_event(i)],
        }
        if variant and i == max(1, n // 2):
            service["rest"][1]["query"] = {"expand": "optional[bool]"}
        if i % 4 == 0:
            service["grpc"] = [
                {"name": "GetItem", "request": f"{m}NewItem", "response": f"{m}Item"},
                {"name": "WatchItems", "request": f"{m}NewItem", "response": f"{m}Item",
                 "server_streaming": True, "roles": ["viewer"]},
            ]
        consumed = [_event(j) for j in (i - 1, i - 7) if j >= 1]
        if consumed:
            service["consumes"] = consumed
        uses = []
        if i % 3 == 0:
            store = f"{name}-db"
            datastores[store] = {"engine": "postgres", "version": "16", "size_gb": 10 + i % 50}
            uses.append(store)
        if i % 10 == 0:
            store = f"{name}-files"
            datastores[store] = {"engine": "volume", "size_gb": 5}
            uses.append(store)
        if uses:
            service["uses"] = uses
        calls = sorted({_svc(j) for j in (i // 2, i - 3) if j >= 1})
        if calls:
            service["calls"] = calls
        if i % 2 == 0:
            service["gateway"] = {"path": f"/api/{name}", "rate_limit": f"{100 + i}/minute"}
            if i % 6 == 0:
                service["gateway"]["auth"] = "public"
        service["scaling"] = {"min": 1 + i % 2, "max": 4, "cpu_target": 70}
        service["resources"] = {"cpu": "250m", "memory": "256Mi"}
        service["slo"] = {"availability": 99.9, "latency_p99_ms": 300}
        service["config"] = {"LOG_FORMAT": "json", "PAGE_SIZE": 50, "FEATURE_X": i % 2 == 0}
        service["secrets"] = [f"API_KEY_{i:04d}"]
        services[name] = service
        if i % 5 == 0:
            prod_overrides[name] = {"replicas": 4, "resources": {"cpu": "500m", "memory": "512Mi"}}

    return {
        "rose": 1,
        "system": {"name": "bench", "domain": "bench.example.com", "description": f"{n} synthetic services",
                   "owner": "bench"},
        "environments": {
            "dev": {"hosting": "compose"},
            "staging": {"hosting": "kubernetes", "domain": "staging.bench.example.com", "replicas": 2,
                        "kubernetes": {"registry": "registry.example.com/bench", "ingress": {"class_name": "nginx"},
                                       "tls": {"issuer": "letsencrypt"}, "monitoring": True}},
            "prod": {"hosting": "aws", "region": "eu-west-1", "replicas": 3, "services": prod_overrides,
                     "aws": {"state": {"bucket": "bench-terraform-state", "key": "bench/prod/terraform.tfstate"},
                             "hosted_zone": {"name": "bench.example.com"}}},
        },
        "identity": {"realm": "bench", "roles": ["viewer", "editor", "admin"], "scopes": ["items.read"]},
        "messages": messages,
        "events": events,
        "datastores": datastores,
        "services": services,
    }


_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./{}\[\], -]*[A-Za-z0-9_./{}\]]|[A-Za-z]")
_PLAIN_IN_FLOW = re.compile(r"[A-Za-z/][A-Za-z0-9_./ -]*[A-Za-z0-9_./]|[A-Za-z]")  # no [ ] { } , inside { }
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
FLOW_WIDTH = 110


def _scalar(value: Any, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    plain = (_PLAIN_IN_FLOW if flow else _PLAIN).fullmatch(value)
    if plain and value.lower() not in _YAML_WORDS:
        return value  # plain, as people write it: list[Order], /items/{id}
    return json.dumps(value)  # a double-quoted YAML scalar, safe for every string


def _flow(data: Any) -> str:
    if isinstance(data, dict):
        return "{ " + ", ".join(f"{k}: {_flow(v)}" for k, v in data.items()) + " }" if data else "{}"
    if isinstance(data, list):
        return "[" + ", ".join(_flow(v) for v in data) + "]"
    return _scalar(data, flow=True)


def to_yaml(data: Any, indent: int = 0) -> str:
    """YAML as the examples write it: block style, small collections in flow style ({ }, [ ])."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                inline = _flow(value)
                if len(pad) + len(key) + len(inline) <= FLOW_WIDTH or not value:
                    lines.append(f"{pad}{key}: {inline}")
                else:
                    lines.append(f"{pad}{key}:")
                    lines.append(to_yaml(value, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(value)}")
    else:
        for item in data:
            inline = _flow(item)
            if len(pad) + len(inline) <= FLOW_WIDTH or not isinstance(item, (dict, list)):
                lines.append(f"{pad}- {inline}")
            else:
                body = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2:]}")
    return "\n".join(lines)


def write_spec(directory: Path, n: int, variant: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "rose.yaml"
    path.write_text(f"# Synthetic spec with {n} services, generated by bench/bench.py\n"
                    + to_yaml(synthetic_spec(n, variant)) + "\n", "utf-8")
    return path


def file_states(directory: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime in ns) of every file under directory: a file rewritten with the same bytes differs too.
    rosec's local cache (.rosec/) is not counted: it is neither output nor user code."""
    states = {}
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if d != ".rosec"]
        for name in names:
            info = os.stat(os.path.join(root, name))
            states[os.path.join(root, name)] = (info.st_ino, info.st_mtime_ns)
    return states


def files_touched(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    """Files written, created or removed between two file_states."""
    return sum(1 for path in before.keys() | after.keys() if before.get(path) != after.get(path))


# -- measurement -----------------------------------------------------------------------------

@dataclass
class Measurement:
    command: str
    size: int | str
    services: int
    spec_bytes: int
    runs_s: list[float] = field(default_factory=list)
    cpu_runs_s: list[float] = field(default_factory=list)
    sys_runs_s: list[float] = field(default_factory=list)  # the kernel's part of cpu_runs_s
    max_rss_mib: float = 0.0
    touched: list[int] = field(default_factory=list)  # files written or removed per run, where counted

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)

    @property
    def cpu_median_s(self) -> float:
        return statistics.median(self.cpu_runs_s)

    @property
    def sys_median_s(self) -> float:
        return statistics.median(self.sys_runs_s)

    @property
    def floor_s(self) -> float:
        """The wall time this CPU time would take with every usable CPU busy for the whole run."""
        return self.cpu_median_s / usable_cpus()

    @property
    def aim_s(self) -> float | None:
        return AIMS.get((self.command, self.size))

    @property
    def verdict(self) -> str:
        if self.aim_s is None:
            return ""
        return "PASS" if self.median_s < self.aim_s else "MISS"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "median_s": round(self.median_s, 4), "cpu_median_s": round(self.cpu_median_s, 4),
                "sys_median_s": round(self.sys_median_s, 4),
                "floor_s": round(self.floor_s, 4), "aim_s": self.aim_s, "verdict": self.verdict}



def child_environment() -> dict[str, str]:
    """The environment of every child: this one, with the bytecode cache written and read."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def reference_seconds(runs: int = 5) -> float:
    """Median time of a fixed pure-Python loop: how fast this machine runs Python just now."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i % 7
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def disk_probe_seconds(work: Path, directories: int = 20, files: int = 100) -> float:
    """Time to create directories x files new files of 8 KiB under `work` (left there): how fast the file system
    creates files just now. ext4 without a journal (the root file system here) does not give a new file an inode
    freed in the last minute (five more while the inode table block is not yet written back): each creation
    scans past every such inode (fs/ext4/ialloc.c, recently_deleted; perf shows it under ext4_create). After
    deleting a build's 26,000 files, creating files is 10 to 30 times slower for up to six minutes, and so is
    every build."""
    os.sync()
    probe = Path(tempfile.mkdtemp(prefix="disk-probe-", dir=work))
    content = b"x" * 8192
    start = time.perf_counter()
    for d in range(directories):
        directory = probe / str(d)
        directory.mkdir()
        for f in range(files):
            (directory / str(f)).write_bytes(content)
    return time.perf_counter() - start


class Run(NamedTuple):
    wall_s: float
    cpu_s: float  # user + sys
    sys_s: float
    max_rss_mib: float


def run_once(argv: list[str], cwd: Path) -> Run:
    """Run argv to completion and measure the child. Fails loudly on exit != 0."""
    with tempfile.TemporaryFile() as out:
        os.sync()  # the writes of earlier runs are not this run's cost
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=child_environment())
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
            raise SystemExit(f"bench: `{' '.join(argv)}` exited {proc.returncode}:\n{text[-4000:]}")
    rss_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_stime, rss_kib / 1024)


def measure(command: str, size: int | str, services: int, spec: Path, argv: list[str], repeat: int,
            cwd: Path, before_each: Any = None, watch: Path | None = None) -> Measurement:
    """Run argv `repeat` times; with `watch`, also count the files each run wrote or removed under it."""
    result = Measurement(command, size, services, spec.stat().st_size)
    for _ in range(repeat):
        if before_each:
            before_each()
        before = file_states(watch) if watch else {}
        run = run_once(argv, cwd)
        if watch:
            result.touched.append(files_touched(before, file_states(watch)))
        result.runs_s.append(round(run.wall_s, 4))
        result.cpu_runs_s.append(round(run.cpu_s, 4))
        result.sys_runs_s.append(round(run.sys_s, 4))
        result.max_rss_mib = round(max(result.max_rss_mib, run.max_rss_mib), 1)
    return result


def rosec_command(explicit: str | None) -> list[str]:
    if explicit:
        return explicit.split()
    venv_rosec = ROOT / ".venv" / "bin" / "rosec"
    if venv_rosec.exists():
        return [str(venv_rosec)]
    return [sys.executable, "-m", "rosec"]


def growth(results: list[Measurement], command: str, small: int, large: int, base: int | None) -> dict[str, Any]:
    by_size = {r.size: r for r in results if r.command == command}
    if small not in by_size or large not in by_size:
        return {}
    t_small, t_large = by_size[small].median_s, by_size[large].median_s
    raw = (t_large / large) / (t_small / small)
    out: dict[str, Any] = {"command": command, "small": small, "large": large,
                           "per_service_small_ms": round(1000 * t_small / small, 3),
                           "per_service_large_ms": round(1000 * t_large / large, 3),
                           "ratio_raw": round(raw, 3)}
    if base is not None and base in by_size and base < small:
        t_base = by_size[base].median_s
        # Marginal cost per service beyond the smallest size: removes interpreter start and imports.
        marginal_small = (t_small - t_base) / (small - base)
        marginal_large = (t_large - t_base) / (large - base)
        out["marginal_small_ms"] = round(1000 * marginal_small, 3)
        out["marginal_large_ms"] = round(1000 * marginal_large, 3)
        out["ratio_marginal"] = round(marginal_large / marginal_small, 3) if marginal_small > 0 else None
    return out


def print_table(results: list[Measurement], growths: list[dict[str, Any]]) -> None:
    header = f"{'command':<17} {'size':>6} {'spec KiB':>9} {'median s':>9} {'min s':>7} {'max s':>7} " \
             f"{'CPU s':>7} {'sys s':>7} {'floor s':>7} {'ms/svc':>8} {'RSS MiB':>8} {'touched':>8}  aim"
    print(header)
    print("-" * len(header) + "-" * 10)
    for r in results:
        per = f"{1000 * r.median_s / r.services:8.2f}" if r.services else f"{'':>8}"
        aim = f"< {r.aim_s:g} s {r.verdict}" if r.aim_s is not None else ""
        touched = "/".join(str(t) for t in r.touched) if r.touched else ""
        print(f"{r.command:<17} {r.size!s:>6} {r.spec_bytes / 1024:9.1f} {r.median_s:9.3f} {min(r.runs_s):7.3f} "
              f"{max(r.runs_s):7.3f} {r.cpu_median_s:7.3f} {r.sys_median_s:7.3f} {r.floor_s:7.3f} {per} "
              f"{r.max_rss_mib:8.1f} {touched:>8}  {aim}")
    for g in growths:
        line = (f"growth {g['command']:<8} per service {g['per_service_small_ms']:.2f} ms @ {g['small']} -> "
                f"{g['per_service_large_ms']:.2f} ms @ {g['large']}: ratio {g['ratio_raw']:.2f}")
        if g.get("ratio_marginal") is not None:
            line += (f"; marginal (minus the smallest size) {g['marginal_small_ms']:.2f} -> "
                     f"{g['marginal_large_ms']:.2f} ms: ratio {g['ratio_marginal']:.2f}")
        print(line)
    print("(ratio ~1 = linear growth; ~10 between 100 and 1000 would be quadratic; touched = files written or "
          "removed by each run)")
    for (command, size), aim in AIMS.items():
        if not any(r.command == command and r.size == size for r in results):
            print(f"aim {command} {size} < {aim:g} s: not measured")


def rebuilds(rosec: list[str], commands: list[str], project: Path, n: int, out: Path,
             repeat: int) -> list[Measurement]:
    """`build` again over an existing output: unchanged (build-noop), then one endpoint changed per run."""
    wanted = [c for c in BUILD_MODES if c in commands]
    if not wanted:
        return []
    spec = write_spec(project, n)
    argv = [*rosec, "build", str(spec), "-o", str(out)]
    run_once(argv, project)  # the output (and the build record) the rebuilds start from
    results = []
    if "build-noop" in wanted:
        results.append(measure("build-noop", n, n, spec, argv, repeat, project, watch=project))
    if "build-incremental" in wanted:
        variants = iter(i % 2 == 0 for i in range(repeat))
        results.append(measure("build-incremental", n, n, spec, argv, repeat, project,
                               before_each=lambda: write_spec(project, n, next(variants)), watch=project))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated service counts (default 10,100,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--rosec", metavar="CMD",
                        help="command to run (default: .venv/bin/rosec, else python -m rosec)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write specs and outputs here and keep them")
    parser.add_argument("--commands", default="validate,build,check,build-noop,build-incremental",
                        help="subset of validate,build,check,build-noop,build-incremental")
    parser.add_argument("--no-shop", action="store_true", help="skip `rosec validate` of the shop example")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    if args.repeat < 1 or any(n < 1 for n in sizes):
        parser.error("--repeat and every size must be at least 1")
    rosec = rosec_command(args.rosec)

    work = args.keep or Path(tempfile.mkdtemp(prefix="rosec-bench-"))
    work.mkdir(parents=True, exist_ok=True)  # also the children's working directory
    results: list[Measurement] = []
    reference = [reference_seconds()]
    disk = [disk_probe_seconds(work)]
    try:
        warm_up = write_spec(work / "warm-up", 10)  # compiles the bytecode of every module a build imports
        run_once([*rosec, "build", str(warm_up), "-o", str(work / "warm-up" / "out")], work / "warm-up")
        if not args.no_shop:
            results.append(measure("validate", "shop", 0, SHOP, [*rosec, "validate", str(SHOP)], args.repeat, work))
        for n in sizes:
            project = work / f"n{n}"
            spec = write_spec(project, n)
            # generated/<system> under the spec's directory, as in a real project: build scaffolds the
            # handlers once into <project>/<handlers_dir>/, so both are cleared away before every timed build.
            out = project / "generated" / "bench"

            def clean(project: Path = project) -> None:
                trash = Path(tempfile.mkdtemp(prefix="trash-", dir=work))
                for child in project.iterdir():
                    if child.name != "rose.yaml":
                        child.rename(trash / child.name)

            if "validate" in commands:
                results.append(measure("validate", n, n, spec, [*rosec, "validate", str(spec)], args.repeat, project))
            if "build" in commands:  # before the full build, whose output check and the rebuilds use
                results.append(measure("build-core", n, n, spec,
                                       [*rosec, "build", str(spec), "-o", str(project / "generated" / "bench-core"),
                                        *(arg for target in CORE_TARGETS for arg in ("--target", target))],
                                       args.repeat, project, before_each=clean))
            if "build" in commands or "check" in commands:
                build = measure("build", n, n, spec, [*rosec, "build", str(spec), "-o", str(out)], args.repeat,
                                project, before_each=clean)
                if "build" in commands:
                    results.append(build)
                    compose_out = project / "generated" / "bench-compose"
                    results.append(measure("build-compose", n, n, spec,
                                           [*rosec, "build", str(spec), "-o", str(compose_out), "--target", "compose"],
                                           args.repeat, project,
                                           before_each=lambda out=compose_out: shutil.rmtree(out, ignore_errors=True)))
            if "check" in commands:  # as in CI, on a fresh clone: no build record to shortcut the render
                results.append(measure("check", n, n, spec, [*rosec, "check", str(spec), "-o", str(out)],
                                       args.repeat, project,
                                       before_each=lambda p=project: shutil.rmtree(p / ".rosec", ignore_errors=True)))
            results += rebuilds(rosec, commands, project, n, out, args.repeat)
            print(f"... {n} services done", file=sys.stderr, flush=True)
        disk.append(disk_probe_seconds(work))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    sizes_sorted = sorted(sizes)
    growths = []
    if len(sizes_sorted) >= 2:
        small, large = (100, 1000) if {100, 1000} <= set(sizes_sorted) else (sizes_sorted[-2], sizes_sorted[-1])
        base = sizes_sorted[0] if sizes_sorted[0] < small else None
        growths = [g for c in ("validate", "build", "check") if (g := growth(results, c, small, large, base))]

    reference.append(reference_seconds())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"rosec cold-start benchmark: {' '.join(rosec)}; median of {args.repeat}; Python "
          f"{platform.python_version()} on {platform.machine()} ({os.cpu_count()} CPUs, load average {load})")
    print(f"machine speed: a fixed Python loop took {reference[0]:.3f} s before and {reference[1]:.3f} s after "
          "(smaller is faster)")
    print(f"disk speed: 2,000 new files of 8 KiB took {disk[0]:.3f} s before and {disk[-1]:.3f} s after (about ten "
          "times slower for minutes after a large delete on ext4 without a journal: so is every build then)")
    print("wall = elapsed time of the child (what a user waits); CPU = its user+sys time (less sensitive to "
          "other load on the machine); sys = its kernel part (mostly creating files: it grows in the disk's slow "
          f"spells); floor = CPU / the {usable_cpus()} usable CPUs, the wall time with every CPU busy for the whole "
          "run: an aim below the floor needs less CPU, not more overlap")
    print_table(results, growths)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "rosec": rosec, "repeat": args.repeat, "python": platform.python_version(),
            "machine": platform.machine(), "cpus": os.cpu_count(), "loadavg": os.getloadavg(),
            "reference_loop_s": [round(r, 4) for r in reference], "disk_probe_s": [round(d, 4) for d in disk],
            "results": [r.as_dict() for r in results], "growth": growths,
            "aims": [{"command": c, "size": s, "seconds": a} for (c, s), a in AIMS.items()],
        }, indent=2) + "\n", "utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
