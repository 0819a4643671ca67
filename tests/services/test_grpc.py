"""The gRPC part of the `services` target, checked by the real tools: `buf lint` and `buf build` on the generated
services dir, protoc output that imports, byte-for-byte determinism, conversions of every type of the language,
and real calls through grpc.aio servers (rose_runtime.grpc_server) and the generated clients."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import grpc
import pytest

from rosec.model.messages import upper_snake
from rosec.model.system import System
from rosec.pipeline import load_system
from rosec.targets import runtime as runtime_target
from rosec.targets.services.grpc import BUF_LINT_EXCEPTIONS, GRPCIO_TOOLS_PIN, compiler, render_grpc
from rosec.targets.services.grpc.compiler import grpcio_tools_version

ROOT = Path(__file__).resolve().parents[2]
SHOP_SPEC = ROOT / "spec-examples" / "shop" / "rose.yaml"

# Every type of the language in one message, served over all kinds of RPC.
KITCHEN_SPEC = """\
rose: 1
system: { name: kit, domain: kit.example.com }
environments: { dev: { hosting: compose } }
identity: { realm: kit, roles: [admin] }
messages:
  Color: { enum: [red, green, blue] }
  Inner:
    description: "A nested record with \\"quotes\\", a backslash \\\\ and a\\nnewline"
    fields: { label: string, at: "optional[datetime]" }
  Flag: { fields: { "on": bool } }
  Everything:
    fields:
      s: string
      i: int
      f: float
      b: bool
      u: uuid
      d: decimal
      t: datetime
      day: date
      raw: bytes
      color: Color
      inner: Inner
      message: string
      names: "list[string]"
      ids: "list[uuid]"
      amounts: "list[decimal]"
      colors: "list[Color]"
      inners: "list[Inner]"
      times: "list[datetime]"
      by_name: "map[string, int]"
      by_number: "map[int, Inner]"
      colors_by_name: "map[string, Color]"
      days: "map[string, date]"
      opt_s: "optional[string]"
      opt_i: "optional[int]"
      opt_f: "optional[float]"
      opt_b: "optional[bool]"
      opt_u: "optional[uuid]"
      opt_d: "optional[decimal]"
      opt_t: "optional[datetime]"
      opt_day: "optional[date]"
      opt_raw: "optional[bytes]"
      opt_color: "optional[Color]"
      opt_inner: "optional[Inner]"
services:
  kitchen-sink:
    description: Every type of the language over gRPC
    grpc:
      - { name: Echo, request: Everything, response: Everything, public: true, summary: "Returns \\"what\\" it gets" }
      - { name: Chat, request: Inner, response: Inner, client_streaming: true, server_streaming: true, public: true }
      - { name: Ping, request: Flag, response: Flag, roles: [admin] }
"""


# -- building and importing generated trees --------------------------------------------------------------------
def build_services_dir(system: System, root: Path) -> Path:
    """Write what `rosec build` writes for the services (the services target, or the gRPC part alone while the
    services target is not there) and the runtime; return the services dir."""
    try:
        from rosec.targets import services as services_target

        files = services_target.render(system)
    except (ImportError, AttributeError):
        files = render_grpc(system)
    files |= runtime_target.render(system)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root / system.layout.services_dir


@contextmanager
def importable(*dirs: Path) -> Iterator[None]:
    """The dirs on sys.path; afterwards, forget the modules imported from them."""
    before = set(sys.modules)
    for d in reversed(dirs):
        sys.path.insert(0, str(d))
    try:
        yield
    finally:
        for d in dirs:
            sys.path.remove(str(d))
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if any(module_file.startswith(str(d)) for d in dirs):
                del sys.modules[name]


def has_module(services_dir: Path, package: str, module: str) -> bool:
    return (services_dir / package / f"{module}.py").exists()


@pytest.fixture(scope="module")
def shop_system() -> System:
    return load_system(SHOP_SPEC)


@pytest.fixture(scope="module")
def kitchen_system(tmp_path_factory: pytest.TempPathFactory) -> System:
    spec = tmp_path_factory.mktemp("kitchen-spec") / "rose.yaml"
    spec.write_text(KITCHEN_SPEC, "utf-8")
    return load_system(spec)


@pytest.fixture(scope="module")
def shop_services(shop_system: System, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_services_dir(shop_system, tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def kitchen_services(kitchen_system: System, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_services_dir(kitchen_system, tmp_path_factory.mktemp("kitchen"))


@pytest.fixture(scope="module")
def generated(shop_services: Path, kitchen_services: Path) -> Iterator[SimpleNamespace]:
    """The generated modules of both trees, imported; rose_runtime is the same in both."""
    for services in (shop_services, kitchen_services):
        if not has_module(services, "inventory" if services == shop_services else "kitchen_sink", "models"):
            pytest.fail(f"{services} has no models.py: the services target (models, handlers) is missing")
    with importable(shop_services, kitchen_services):
        names = {
            "kitchen_convert": "kitchen_sink.convert", "kitchen_models": "kitchen_sink.models",
            "kitchen_pb": "kitchen_sink.v1.kitchen_sink_pb2", "kitchen_service": "kitchen_sink.grpc_service",
            "kitchen_client": "kitchen_sink.grpc_client",
            "inventory_models": "inventory.models", "inventory_pb": "inventory.v1.inventory_pb2",
            "inventory_service": "inventory.grpc_service", "inventory_client": "inventory.grpc_client",
            "inventory_handlers": "inventory.handlers",
            "payments_models": "payments.models", "payments_pb": "payments.v1.payments_pb2",
            "payments_service": "payments.grpc_service", "payments_client": "payments.grpc_client",
            "payments_handlers": "payments.handlers",
            "auth": "rose_runtime.auth", "context": "rose_runtime.context", "errors": "rose_runtime.errors",
            "logs": "rose_runtime.logs", "grpc_server": "rose_runtime.grpc_server",
            "runtime": "rose_runtime.runtime", "settings": "rose_runtime.settings",
        }
        yield SimpleNamespace(**{key: importlib.import_module(module) for key, module in names.items()})


# -- buf -------------------------------------------------------------------------------------------------------
def buf_executable() -> str:
    found = shutil.which("buf") or next((str(p) for p in [Path(sys.executable).parent / "buf"] if p.exists()), None)
    if found is None:
        pytest.fail("buf is not installed: `pip install buf-bin==1.75.0` (PyPI buf-bin ships the buf CLI); "
                    "the gRPC target is validated with `buf lint` and `buf build`")
    return found


def run_buf(services_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([buf_executable(), *args], cwd=services_dir, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("tree", ["shop_services", "kitchen_services"])
def test_buf_lint_and_build_pass(tree: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    services_dir: Path = request.getfixturevalue(tree)
    lint = run_buf(services_dir, "lint")
    assert lint.returncode == 0, f"buf lint failed:\n{lint.stdout}{lint.stderr}"
    image = tmp_path / "image.binpb"
    build = run_buf(services_dir, "build", "-o", str(image))
    assert build.returncode == 0, f"buf build failed:\n{build.stdout}{build.stderr}"
    assert image.stat().st_size > 0


def test_buf_lint_exceptions_are_exactly_the_rules_shared_messages_break(shop_services: Path) -> None:
    """Plain STANDARD fails on the shop only for the three excepted RPC naming rules, nothing else."""
    plain = json.dumps({"version": "v2", "lint": {"use": ["STANDARD"]}})
    lint = run_buf(shop_services, "lint", "--config", plain, "--error-format", "json")
    assert lint.returncode != 0
    rules = {json.loads(line)["type"] for line in lint.stdout.splitlines() if line.strip()}
    assert rules == set(BUF_LINT_EXCEPTIONS), lint.stdout


def test_buf_breaking_sees_a_changed_field_type(shop_services: Path, tmp_path: Path) -> None:
    """The image is a usable baseline for `buf breaking` between two versions of a spec."""
    baseline = tmp_path / "baseline.binpb"
    assert run_buf(shop_services, "build", "-o", str(baseline)).returncode == 0
    changed = tmp_path / "changed"
    shutil.copytree(shop_services, changed, ignore=shutil.ignore_patterns("*.py", "*.pyi", "rose_runtime"))
    proto = changed / "inventory" / "v1" / "inventory.proto"
    proto.write_text(proto.read_text("utf-8").replace("int64 available = 2;", "string available = 2;"), "utf-8")
    breaking = run_buf(changed, "breaking", "--against", str(baseline))
    assert breaking.returncode == 100, breaking.stdout + breaking.stderr
    assert "inventory/v1/inventory.proto" in breaking.stdout and "available" in breaking.stdout


# -- protos and compiled output --------------------------------------------------------------------------------
def test_layout_and_headers(shop_system: System) -> None:
    files = render_grpc(shop_system)
    header = shop_system.header()
    for service in ("inventory", "payments"):
        for name in (f"v1/{service}.proto", f"v1/{service}_pb2.py", f"v1/{service}_pb2.pyi",
                     f"v1/{service}_pb2_grpc.py", "v1/__init__.py", "convert.py", "grpc_service.py",
                     "grpc_client.py"):
            path = f"services/{service}/{name}"
            assert path in files, path
            expected = shop_system.header("//") if name.endswith(".proto") else header
            assert files[path].decode().startswith(expected), path
            assert files[path].endswith(b"\n") and b"\r" not in files[path]
    assert "services/buf.yaml" in files
    assert not any(p.startswith(("services/orders/", "services/catalog/")) for p in files), "no gRPC, no files"


def test_proto_text(shop_system: System) -> None:
    proto = render_grpc(shop_system)["services/inventory/v1/inventory.proto"].decode()
    assert 'syntax = "proto3";\n\npackage inventory.v1;\n' in proto
    # fully qualified: no RPC of the service (GetStock, ...) can shadow a message of the same name
    assert "rpc GetStock(.inventory.v1.StockQuery) returns (.inventory.v1.StockLevel);" in proto
    assert "rpc WatchStock(.inventory.v1.StockQuery) returns (stream .inventory.v1.StockLevel);" in proto
    assert "  .inventory.v1.Money unit_price = 3 [json_name = \"unit_price\"];" in proto  # JSON keeps the wire name
    assert "import" not in proto  # no Timestamp in inventory's messages
    payments = render_grpc(shop_system)["services/payments/v1/payments.proto"].decode()
    assert "rpc UploadReceipts(stream .payments.v1.Receipt) returns (.payments.v1.Payment);" in payments
    assert 'import "google/protobuf/timestamp.proto";' in payments
    assert "ORDER_STATUS_UNSPECIFIED = 0;" in payments and "ORDER_STATUS_CANCELLED = 5;" in payments


def test_enum_prefixes_follow_buf() -> None:
    assert upper_snake("OrderStatus") == "ORDER_STATUS"
    assert upper_snake("HTTPStatus") == "HTTP_STATUS"
    assert upper_snake("V2Type") == "V2_TYPE"
    assert upper_snake("Color") == "COLOR"


def test_descriptors_match_the_spec(generated: SimpleNamespace, kitchen_system: System) -> None:
    """Field numbers in declaration order, presence for optional fields, maps, enums and streaming flags."""
    pb = generated.kitchen_pb
    everything = pb.Everything.DESCRIPTOR
    spec = next(m for m in kitchen_system.messages if m.name == "Everything")
    assert [(f.name, f.number) for f in everything.fields] == [(f.proto_name, i) for i, f in enumerate(spec.fields, 1)]
    assert [f.json_name for f in everything.fields] == [f.wire_name for f in spec.fields]
    for f in spec.fields:
        assert everything.fields_by_name[f.proto_name].has_presence == (f.optional or f.wire_name in ("t", "inner"))
    assert everything.fields_by_name["by_number"].message_type.GetOptions().map_entry
    assert everything.fields_by_name["t"].message_type.full_name == "google.protobuf.Timestamp"
    assert [v.name for v in pb.Color.DESCRIPTOR.values] == ["COLOR_UNSPECIFIED", "COLOR_RED", "COLOR_GREEN",
                                                           "COLOR_BLUE"]
    methods = pb.DESCRIPTOR.services_by_name["KitchenSinkService"].methods_by_name
    assert (methods["Chat"].client_streaming, methods["Chat"].server_streaming) == (True, True)
    assert (methods["Echo"].client_streaming, methods["Echo"].server_streaming) == (False, False)
    inventory = generated.inventory_pb.DESCRIPTOR.services_by_name["InventoryService"].methods_by_name
    assert inventory["WatchStock"].server_streaming and not inventory["WatchStock"].client_streaming
    payments = generated.payments_pb.DESCRIPTOR.services_by_name["PaymentsService"].methods_by_name
    assert payments["UploadReceipts"].client_streaming and not payments["UploadReceipts"].server_streaming


def test_service_module_constants(generated: SimpleNamespace) -> None:
    service = generated.inventory_service
    assert service.SERVICE_NAMES == ["inventory.v1.InventoryService"]
    assert service.METHOD_POLICIES == {
        "/inventory.v1.InventoryService/GetStock": ((), False),
        "/inventory.v1.InventoryService/Reserve": (("customer", "admin"), False),
        "/inventory.v1.InventoryService/WatchStock": ((), False),
    }
    assert generated.payments_service.METHOD_POLICIES == {
        "/payments.v1.PaymentsService/UploadReceipts": (("admin",), False)}
    assert generated.kitchen_service.METHOD_POLICIES["/kitchen_sink.v1.KitchenSinkService/Echo"] == ((), True)


def test_grpcio_tools_is_the_pinned_version(shop_system: System) -> None:
    """protoc stamps its versions into the output: another grpcio-tools changes every *_pb2*.py."""
    assert grpcio_tools_version() == GRPCIO_TOOLS_PIN, (
        f"grpcio-tools {grpcio_tools_version()} is installed, rosec pins {GRPCIO_TOOLS_PIN}: the generated "
        "*_pb2.py / *_pb2_grpc.py would differ from the committed output")
    grpc_code = render_grpc(shop_system)["services/inventory/v1/inventory_pb2_grpc.py"].decode()
    assert f"GRPC_GENERATED_VERSION = '{GRPCIO_TOOLS_PIN}'" in grpc_code


def test_protoc_compiles_the_same_without_a_directory_in_memory(shop_system: System,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The scratch directory is /dev/shm where there is one; elsewhere the default temporary directory."""
    in_memory = render_grpc(shop_system)
    monkeypatch.setattr(compiler, "SHARED_MEMORY", "/no/such/directory")
    assert compiler._scratch_directory() is None
    assert render_grpc(shop_system) == in_memory


def _digest(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(content).hexdigest() for path, content in files.items()}


_DIGEST_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from rosec.pipeline import load_system
from rosec.targets.services.grpc import render_grpc
files = render_grpc(load_system(Path(sys.argv[1])))
print(json.dumps({p: hashlib.sha256(c).hexdigest() for p, c in files.items()}))
"""


def test_render_is_deterministic(shop_system: System) -> None:
    first = render_grpc(shop_system)
    assert render_grpc(shop_system) == first
    assert list(first) == sorted(first)
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT, str(SHOP_SPEC)], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == _digest(first), f"output differs under PYTHONHASHSEED={seed}"


def test_render_leaves_no_temporary_files(shop_system: System, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a temp dir of its own: other workers render too
    assert render_grpc(shop_system)
    assert list(tmp_path.iterdir()) == []


def test_a_system_without_grpc_renders_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "rose.yaml"
    spec.write_text((ROOT / "spec-examples" / "minimal" / "rose.yaml").read_text("utf-8"), "utf-8")
    assert render_grpc(load_system(spec)) == {}


# -- conversions -----------------------------------------------------------------------------------------------
def everything(m: ModuleType, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "s": "text ✓", "i": 2**63 - 1, "f": 0.1, "b": True, "u": UUID("12345678-1234-5678-1234-567812345678"),
        "d": Decimal("12.50"), "t": datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC), "day": date(2024, 2, 29),
        "raw": b"\x00\xff binary", "color": m.Color("green"),
        "inner": m.Inner(label="in", at=datetime(2000, 1, 1, tzinfo=UTC)), "message": "a field named message",
        "names": ["a", "b", ""], "ids": [uuid4(), uuid4()], "amounts": [Decimal("0.1"), Decimal("-3")],
        "colors": [m.Color("red"), m.Color("blue")], "inners": [m.Inner(label="x"), m.Inner(label="y", at=None)],
        "times": [datetime(1970, 1, 1, tzinfo=UTC)], "by_name": {"one": 1, "minus": -1},
        "by_number": {-5: m.Inner(label="neg"), 7: m.Inner(label="seven")},
        "colors_by_name": {"sky": m.Color("blue")}, "days": {"leap": date(2024, 2, 29)},
        "opt_s": None, "opt_i": None, "opt_f": None, "opt_b": None, "opt_u": None, "opt_d": None, "opt_t": None,
        "opt_day": None, "opt_raw": None, "opt_color": None, "opt_inner": None,
    }
    values.update(overrides)
    return m.Everything(**values)


def wire(generated: SimpleNamespace, model: Any) -> Any:
    """to_pb, serialize, parse, from_pb: what a peer receives."""
    convert, pb = generated.kitchen_convert, generated.kitchen_pb
    data = convert.to_pb_everything(model).SerializeToString(deterministic=True)
    return convert.from_pb_everything(pb.Everything.FromString(data))


def test_round_trip_every_type(generated: SimpleNamespace) -> None:
    model = everything(generated.kitchen_models)
    assert wire(generated, model) == model


def test_optional_fields_absent(generated: SimpleNamespace) -> None:
    model = everything(generated.kitchen_models)
    message = generated.kitchen_convert.to_pb_everything(model)
    for name in ("opt_s", "opt_i", "opt_f", "opt_b", "opt_u", "opt_d", "opt_t", "opt_day", "opt_raw", "opt_color",
                 "opt_inner"):
        assert not message.HasField(name), name
    assert wire(generated, model).opt_inner is None


def test_optional_fields_present_with_zero_values(generated: SimpleNamespace) -> None:
    """Presence, not the value, says whether an optional field is set: "", 0, False and b"" survive."""
    m = generated.kitchen_models
    model = everything(m, opt_s="", opt_i=0, opt_f=0.0, opt_b=False, opt_u=uuid4(), opt_d=Decimal("0"),
                       opt_t=datetime(1970, 1, 1, tzinfo=UTC), opt_day=date(1, 1, 1), opt_raw=b"",
                       opt_color=m.Color("red"), opt_inner=m.Inner(label=""))
    message = generated.kitchen_convert.to_pb_everything(model)
    for name in ("opt_s", "opt_i", "opt_f", "opt_b", "opt_raw", "opt_t", "opt_inner"):
        assert message.HasField(name), name
    assert wire(generated, model) == model


def test_empty_lists_and_maps(generated: SimpleNamespace) -> None:
    model = everything(generated.kitchen_models, names=[], ids=[], amounts=[], colors=[], inners=[], times=[],
                       by_name={}, by_number={}, colors_by_name={}, days={})
    assert wire(generated, model) == model


def test_timestamps_become_utc(generated: SimpleNamespace) -> None:
    local = datetime(2024, 6, 1, 14, 30, 15, 999999, tzinfo=timezone(timedelta(hours=2, minutes=30)))
    back = wire(generated, everything(generated.kitchen_models, t=local, opt_t=local))
    assert back.t == local and back.opt_t == local
    assert back.t.tzinfo is UTC and back.t.hour == 12 and back.t.minute == 0 and back.t.microsecond == 999999


@pytest.mark.parametrize("text", ["12.50", "0.000000000000000000000000000001", "-123456789012345678901234567890.1",
                                  "0", "-0", "100"])
def test_decimals_keep_every_digit(generated: SimpleNamespace, text: str) -> None:
    value = Decimal(text)
    message = generated.kitchen_convert.to_pb_everything(everything(generated.kitchen_models, d=value))
    assert message.d == text
    back = wire(generated, everything(generated.kitchen_models, d=value, opt_d=value)).d
    assert back.as_tuple() == value.as_tuple()


def test_decimal_exponents_are_written_out(generated: SimpleNamespace) -> None:
    message = generated.kitchen_convert.to_pb_everything(everything(generated.kitchen_models, d=Decimal("1E+3")))
    assert message.d == "1000"


def test_enums(generated: SimpleNamespace) -> None:
    convert, pb, m = generated.kitchen_convert, generated.kitchen_pb, generated.kitchen_models
    assert convert.to_pb_color(m.Color("blue")) == pb.COLOR_BLUE
    assert convert.from_pb_color(pb.COLOR_RED) == m.Color("red")
    message = convert.to_pb_everything(everything(m))
    message.opt_color = pb.COLOR_UNSPECIFIED  # present but "no value": None for an optional field
    assert convert.from_pb_everything(message).opt_color is None
    message.color = pb.COLOR_UNSPECIFIED
    with pytest.raises(convert.ConversionError, match=r"Everything\.color: 0 is not a valid Color"):
        convert.from_pb_everything(message)
    message.color = 99  # a value of a newer version of the proto
    with pytest.raises(convert.ConversionError, match="99"):
        convert.from_pb_everything(message)


@pytest.mark.parametrize(("field", "value", "where"), [
    ("u", "not-a-uuid", r"Everything\.u"),
    ("d", "1,5", r"Everything\.d"),
    ("d", "NaN", r"Everything\.d"),
    ("d", "1e3", r"Everything\.d"),
    ("day", "2024-02-30", r"Everything\.day"),
    ("day", "20240229", r"Everything\.day"),
])
def test_bad_text_scalars_name_the_field(generated: SimpleNamespace, field: str, value: str, where: str) -> None:
    convert = generated.kitchen_convert
    message = convert.to_pb_everything(everything(generated.kitchen_models))
    setattr(message, field, value)
    with pytest.raises(convert.ConversionError, match=where):
        convert.from_pb_everything(message)


def test_bad_items_of_lists_and_maps_name_the_field(generated: SimpleNamespace) -> None:
    convert = generated.kitchen_convert
    message = convert.to_pb_everything(everything(generated.kitchen_models))
    message.ids.append("nope")
    with pytest.raises(convert.ConversionError, match=r"Everything\.ids\[\]"):
        convert.from_pb_everything(message)
    message = convert.to_pb_everything(everything(generated.kitchen_models))
    message.days["bad"] = "yesterday"
    with pytest.raises(convert.ConversionError, match=r"Everything\.days\[\]"):
        convert.from_pb_everything(message)


@pytest.mark.parametrize("field", ["inner", "t"])
def test_required_message_fields_must_be_present(generated: SimpleNamespace, field: str) -> None:
    convert = generated.kitchen_convert
    message = convert.to_pb_everything(everything(generated.kitchen_models))
    message.ClearField(field)
    with pytest.raises(convert.ConversionError, match=rf"Everything\.{field} is required"):
        convert.from_pb_everything(message)


def test_conversion_errors_are_value_errors(generated: SimpleNamespace) -> None:
    assert issubclass(generated.kitchen_convert.ConversionError, ValueError)


# -- real servers ----------------------------------------------------------------------------------------------
ADMIN, CUSTOMER = "admin-token", "customer-token"


class FakeVerifier:
    """Stands in for the OIDC verifier: two known tokens."""

    def __init__(self, g: SimpleNamespace) -> None:
        self.g = g

    async def verify(self, token: str) -> Any:
        roles = {ADMIN: {"admin"}, CUSTOMER: {"customer"}}.get(token)
        if roles is None:
            raise self.g.auth.unauthorized("unknown test token")
        return self.g.auth.Principal(subject=token.split("-")[0], roles=frozenset(roles), token=token)

    def trusts(self, principal: Any) -> bool:
        return False  # no caller's word on whom it acts for is kept


def make_runtime(g: SimpleNamespace, service: str) -> Any:
    settings = g.settings.Settings(system="shop", service=service, environment="test", port=8000)
    return g.runtime.Runtime(settings, verifier=FakeVerifier(g))


@asynccontextmanager
async def serving(g: SimpleNamespace, service: str, servicers: list[Any], names: list[str],
                  policies: dict[str, Any]) -> AsyncIterator[str]:
    """A started rose_runtime gRPC server on a free localhost port; yields host:port."""
    server = g.grpc_server.create_server(make_runtime(g, service), 0, servicers, names, policies, host="127.0.0.1")
    await server.start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop(None)


_caller_token: ContextVar[str | None] = ContextVar("caller_token", default=None)


class CallerToken:
    """The calling service's token source (rose_runtime.tokens.TokenSource): the token `calling_as` gives."""

    async def token(self, audience: str) -> str | None:
        return _caller_token.get()


def caller(g: SimpleNamespace) -> Any:
    """The runtime of the calling service, whose clients present the token of `calling_as`."""
    runtime = g.runtime.Runtime(g.settings.Settings(system="shop", service="orders", environment="test", port=8000))
    runtime.tokens = CallerToken()
    return runtime


@contextmanager
def calling_as(g: SimpleNamespace, token: str | None, correlation_id: str = "corr-test-1") -> Iterator[None]:
    """What a handler of the calling service runs with: its token for the call, its caller's principal, the
    request id."""
    principal = None if token is None else g.auth.Principal(subject="caller", roles=frozenset(), token=token)
    reset = g.context.current_principal.set(principal)
    reset_token = _caller_token.set(token)
    try:
        with g.logs.log_scope(correlation_id=correlation_id):
            yield
    finally:
        _caller_token.reset(reset_token)
        g.context.current_principal.reset(reset)


def inventory_handlers(g: SimpleNamespace, seen: list[Any]) -> Any:
    m = g.inventory_models
    base = getattr(g.inventory_handlers, "InventoryHandlers", object)

    class Inventory(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.deps = None

        async def get_stock(self, request: Any, ctx: Any) -> Any:
            seen.append(ctx)
            if request.sku == "missing":
                raise g.errors.Problem(404, "Not Found", f"no sku {request.sku}")
            if request.sku == "slow":
                await asyncio.sleep(2)
            return m.StockLevel(sku=request.sku, available=7)

        async def reserve(self, request: Any, ctx: Any) -> Any:
            missing = [line.sku for line in request.lines if line.quantity > 5]
            return m.ReservationResult(order_id=request.order_id, accepted=not missing, missing_skus=missing)

        async def watch_stock(self, request: Any, ctx: Any) -> AsyncIterator[Any]:
            for available in range(3):
                yield m.StockLevel(sku=request.sku, available=available)
            if request.sku == "breaks":
                raise g.errors.Problem(503, "Service Unavailable", "stock feed lost")

    return Inventory()


def payments_handlers(g: SimpleNamespace) -> Any:
    m = g.payments_models
    base = getattr(g.payments_handlers, "PaymentsHandlers", object)

    class Payments(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.deps = None

        async def post_payments(self, body: Any, ctx: Any) -> Any:
            raise NotImplementedError

        async def on_order_created(self, message: Any, ctx: Any) -> None:
            raise NotImplementedError

        async def upload_receipts(self, requests: AsyncIterator[Any], ctx: Any) -> Any:
            receipts = [r async for r in requests]
            total = Decimal(sum(len(r.document) for r in receipts)) / 100
            return m.Payment(id=uuid4(), order_id=receipts[0].order_id,
                             amount=m.Money(amount=total, currency=ctx.principal.subject),
                             settled_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))

    return Payments()


def test_shop_inventory_over_a_real_server(generated: SimpleNamespace) -> None:
    g = generated
    m, svc = g.inventory_models, g.inventory_service
    seen: list[Any] = []

    async def scenario() -> None:
        servicers = svc.grpc_servicers(inventory_handlers(g, seen))
        async with serving(g, "inventory", servicers, svc.SERVICE_NAMES, svc.METHOD_POLICIES) as target, \
                g.inventory_client.InventoryGrpcClient(target, caller(g)) as client:
            with calling_as(g, CUSTOMER, "corr-unary-1"):
                level = await client.get_stock(m.StockQuery(sku="abc"))
            assert level == m.StockLevel(sku="abc", available=7)
            assert seen[-1].principal.subject == "customer" and seen[-1].correlation_id == "corr-unary-1"
            assert isinstance(seen[-1], g.context.RequestContext)

            order_id = uuid4()
            reservation = m.Reservation(order_id=order_id, lines=[
                m.OrderLine(sku="a", quantity=1, unit_price=m.Money(amount=Decimal("1.10"), currency="EUR")),
                m.OrderLine(sku="b", quantity=9, unit_price=m.Money(amount=Decimal("2"), currency="EUR"))])
            with calling_as(g, ADMIN):
                result = await client.reserve(reservation)
            assert result == m.ReservationResult(order_id=order_id, accepted=False, missing_skus=["b"])

            with calling_as(g, CUSTOMER):
                levels = [level async for level in client.watch_stock(m.StockQuery(sku="w"))]
            assert [lv.available for lv in levels] == [0, 1, 2]

            with calling_as(g, CUSTOMER), pytest.raises(g.errors.Problem) as problem:
                await client.get_stock(m.StockQuery(sku="missing"))
            assert problem.value.status == 404 and "no sku missing" in (problem.value.detail or "")

            with calling_as(g, CUSTOMER), pytest.raises(g.errors.Problem) as problem:
                _ = [level async for level in client.watch_stock(m.StockQuery(sku="breaks"))]
            assert problem.value.status == 503

            with calling_as(g, None), pytest.raises(g.errors.Problem) as problem:
                await client.get_stock(m.StockQuery(sku="abc"))
            assert problem.value.status == 401

            with calling_as(g, CUSTOMER), pytest.raises(g.errors.Problem) as problem:
                await client.get_stock(m.StockQuery(sku="slow"), timeout=0.2)
            assert problem.value.status == 504

    asyncio.run(scenario())


def test_status_codes_seen_by_a_plain_stub(generated: SimpleNamespace) -> None:
    g = generated
    svc, pb = g.inventory_service, g.inventory_pb

    async def scenario() -> None:
        servicers = svc.grpc_servicers(inventory_handlers(g, []))
        async with serving(g, "inventory", servicers, svc.SERVICE_NAMES, svc.METHOD_POLICIES) as target, \
                grpc.aio.insecure_channel(target) as channel:
            stub = importlib.import_module("inventory.v1.inventory_pb2_grpc").InventoryServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.Reserve(pb.Reservation(order_id="not-a-uuid"), metadata=(("authorization",
                                                                                     f"Bearer {ADMIN}"),))
            assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "Reservation.order_id" in (error.value.details() or "")
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.GetStock(pb.StockQuery(sku="missing"), metadata=(
                    ("authorization", f"Bearer {ADMIN}"), ("x-request-id", "corr-error-1")))
            assert error.value.code() == grpc.StatusCode.NOT_FOUND
            assert error.value.details() == "Not Found: no sku missing"
            assert ("x-request-id", "corr-error-1") in tuple(error.value.trailing_metadata() or ())

    asyncio.run(scenario())


def test_scaffolded_handlers_answer_unimplemented(generated: SimpleNamespace, shop_system: System) -> None:
    """The handlers `rosec build` scaffolds raise Problem(501) until written: gRPC callers see UNIMPLEMENTED."""
    from rosec.targets.services.scaffold import scaffold_module

    g = generated
    svc, pb = g.inventory_service, g.inventory_pb
    scaffolded = ModuleType("scaffolded_inventory_handlers")
    exec(compile(scaffold_module(shop_system, shop_system.service("inventory")), "handlers.py", "exec"),
         scaffolded.__dict__)

    async def scenario() -> None:
        servicers = svc.grpc_servicers(scaffolded.Handlers(None))
        async with serving(g, "inventory", servicers, svc.SERVICE_NAMES, svc.METHOD_POLICIES) as target, \
                grpc.aio.insecure_channel(target) as channel:
            stub = importlib.import_module("inventory.v1.inventory_pb2_grpc").InventoryServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.GetStock(pb.StockQuery(sku="abc"), metadata=(("authorization", f"Bearer {ADMIN}"),))
            assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
            assert error.value.details() == "not implemented"
            async with g.inventory_client.InventoryGrpcClient(target, caller(g)) as client:
                with calling_as(g, CUSTOMER), pytest.raises(g.errors.Problem) as problem:
                    await client.get_stock(g.inventory_models.StockQuery(sku="abc"))
            assert problem.value.status == 501

    asyncio.run(scenario())


def test_health_and_reflection(generated: SimpleNamespace) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    g = generated
    svc = g.inventory_service

    async def scenario() -> None:
        servicers = svc.grpc_servicers(inventory_handlers(g, []))
        async with serving(g, "inventory", servicers, svc.SERVICE_NAMES, svc.METHOD_POLICIES) as target, \
                grpc.aio.insecure_channel(target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for name in ("", "inventory.v1.InventoryService"):
                answer = await health.Check(health_pb2.HealthCheckRequest(service=name))
                assert answer.status == health_pb2.HealthCheckResponse.SERVING
            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            call = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
            services = [s.name async for r in call for s in r.list_services_response.service]
            assert "inventory.v1.InventoryService" in services

    asyncio.run(scenario())


def test_shop_payments_client_streaming(generated: SimpleNamespace) -> None:
    g = generated
    m, svc = g.payments_models, g.payments_service

    async def receipts() -> AsyncIterator[Any]:
        for size in (100, 250):
            yield m.Receipt(order_id=order_id, document=b"x" * size, issued_on=date(2024, 1, 2))

    order_id = uuid4()

    async def scenario() -> None:
        servicers = svc.grpc_servicers(payments_handlers(g))
        async with serving(g, "payments", servicers, svc.SERVICE_NAMES, svc.METHOD_POLICIES) as target, \
                g.payments_client.PaymentsGrpcClient(target, caller(g)) as client:
            with calling_as(g, ADMIN):
                payment = await client.upload_receipts(receipts())
            assert payment.order_id == order_id and payment.amount == m.Money(amount=Decimal("3.5"), currency="admin")
            assert payment.settled_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
            with calling_as(g, ADMIN):  # a plain iterable works too
                payment = await client.upload_receipts(
                    [m.Receipt(order_id=order_id, document=b"abc", issued_on=date(2024, 1, 2))])
            assert payment.amount.amount == Decimal("0.03")
            with calling_as(g, CUSTOMER), pytest.raises(g.errors.Problem) as problem:  # needs role admin
                await client.upload_receipts(receipts())
            assert problem.value.status == 403

    asyncio.run(scenario())


def test_kitchen_sink_every_type_and_bidirectional_streaming(generated: SimpleNamespace) -> None:
    g = generated
    m, svc = g.kitchen_models, g.kitchen_service

    class Kitchen:  # duck-typed: the servicer needs only the handler methods
        async def echo(self, request: Any, ctx: Any) -> Any:
            return request

        async def chat(self, requests: AsyncIterator[Any], ctx: Any) -> AsyncIterator[Any]:
            async for inner in requests:
                yield m.Inner(label=inner.label.upper(), at=inner.at)

        async def ping(self, request: Any, ctx: Any) -> Any:
            return m.Flag(on=not request.on)

    async def messages() -> AsyncIterator[Any]:
        yield m.Inner(label="a")
        yield m.Inner(label="b", at=datetime(2030, 1, 1, tzinfo=UTC))

    async def scenario() -> None:
        servicers = svc.grpc_servicers(Kitchen())
        async with serving(g, "kitchen-sink", servicers, svc.SERVICE_NAMES, svc.METHOD_POLICIES) as target, \
                g.kitchen_client.KitchenSinkGrpcClient(target, caller(g), timeout=10) as client:
            with calling_as(g, None):  # public methods
                model = everything(m, opt_s="", opt_color=m.Color("blue"), opt_inner=m.Inner(label="o"))
                assert await client.echo(model) == model
                answers = [inner async for inner in client.chat(messages())]
            assert answers == [m.Inner(label="A"), m.Inner(label="B", at=datetime(2030, 1, 1, tzinfo=UTC))]
            with calling_as(g, ADMIN):
                assert await client.ping(m.Flag(on=True)) == m.Flag(on=False)

    asyncio.run(scenario())


# -- specs proto3 cannot express -------------------------------------------------------------------------------
_GAP_SPEC = """\
rose: 1
system: { name: gap, domain: gap.example.com }
environments: { dev: { hosting: compose } }
messages:
%s
services:
  kitchen:
    grpc:
      - { name: Get, request: %s, response: %s, public: true }
"""


@pytest.mark.parametrize(("messages", "root", "error"), [
    ("  Color: { enum: [red, unspecified] }\n  A: { fields: { c: Color } }", "A",
     "enum value 'unspecified' would become COLOR_UNSPECIFIED, the protobuf zero value"),
    ("  A: { fields: { line_1: string, line1: string } }", "A", "both have the protobuf JSON name 'line1'"),
    ("  KitchenService: { fields: { a: string } }", "KitchenService", "is used by the generated service code"),
    ("  ABc: { enum: [x] }\n  A: { enum: [bc_unspecified] }\n  R: { fields: { a: ABc, b: A } }", "R",
     "becomes A_BC_UNSPECIFIED in the protobuf package of service 'kitchen', which is already the zero value"),
], ids=["enum-zero-value", "json-name", "service-name", "enum-value-across-enums"])
def test_specs_protoc_would_reject_are_rejected_by_the_resolver(tmp_path: Path, messages: str, root: str,
                                                                error: str) -> None:
    from rosec.diagnostics import SpecError

    spec = tmp_path / "rose.yaml"
    spec.write_text(_GAP_SPEC % (messages, root, root), "utf-8")
    with pytest.raises(SpecError) as raised:
        load_system(spec)
    errors = [d for d in raised.value.diagnostics if d.severity == "error"]
    assert [error in d.message for d in errors] == [True], raised.value.diagnostics
