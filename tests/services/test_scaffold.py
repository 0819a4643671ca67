"""Generation gap: handler modules are scaffolded once and never overwritten; missing handlers are reported
from the source (ast), and `rosec build` does both after writing the services target."""

from __future__ import annotations

import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT, system_from_text

from rosec.cli import main
from rosec.model.system import System
from rosec.targets.services.scaffold import missing_handlers, scaffold, write_scaffolds

HELLO = Path("services/minimal/hello/handlers.py")
BYE = '      - { method: GET, path: "/bye/{name}", response: Greeting, public: true }\n'


def with_bye_endpoint(text: str) -> str:
    anchor = '      - { method: GET, path: "/hello/{name}", response: Greeting, public: true }\n'
    assert anchor in text
    return text.replace(anchor, anchor + BYE)


def test_scaffold_writes_every_missing_module_once(shop: System, tmp_path: Path) -> None:
    written = scaffold(shop, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"services/shop/{s.name}/handlers.py" for s in shop.services]
    for path in written:
        compile(path.read_text("utf-8"), str(path), "exec")
    assert scaffold(shop, tmp_path) == []
    assert missing_handlers(shop, tmp_path) == []


def test_scaffold_never_overwrites(minimal: System, tmp_path: Path) -> None:
    path = tmp_path / HELLO
    path.parent.mkdir(parents=True)
    path.write_text("# mine\n", "utf-8")
    assert scaffold(minimal, tmp_path) == []
    assert path.read_text("utf-8") == "# mine\n"


def test_a_module_that_appeared_after_the_plan_is_kept(tmp_path: Path) -> None:
    """write_scaffolds writes each module only if its path is still free: the user's file wins."""
    theirs, fresh = tmp_path / "a" / "handlers.py", tmp_path / "b" / "c" / "handlers.py"
    theirs.parent.mkdir()
    theirs.write_bytes(b"# theirs\n")
    assert write_scaffolds({theirs: b"# scaffold\n", fresh: b"# scaffold\n"}) == [fresh]
    assert theirs.read_bytes() == b"# theirs\n" and fresh.read_bytes() == b"# scaffold\n"
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask, "a file of the user's, made as any editor makes one"


def test_scaffolded_module_has_typed_stubs(shop: System, tmp_path: Path) -> None:
    scaffold(shop, tmp_path)
    orders = (tmp_path / "services/shop/orders/handlers.py").read_text("utf-8")
    assert "class Handlers(OrdersHandlers):" in orders
    assert "    async def get_orders_by_id(self, id: UUID, ctx: RequestContext) -> Order:\n" in orders
    assert "    async def on_payment_settled(self, message: Payment, ctx: MessageContext) -> None:\n" in orders
    assert 'raise Problem(501, "not implemented")' in orders
    assert "from uuid import UUID" in orders
    inventory = (tmp_path / "services/shop/inventory/handlers.py").read_text("utf-8")
    assert ("    async def watch_stock(self, request: StockQuery, ctx: RequestContext) -> AsyncIterator[StockLevel]:"
            in inventory)
    payments = (tmp_path / "services/shop/payments/handlers.py").read_text("utf-8")
    assert ("async def upload_receipts(self, requests: AsyncIterator[Receipt], ctx: RequestContext) -> Payment:"
            in payments)


def test_missing_handlers_reports_an_added_endpoint(minimal: System, tmp_path: Path) -> None:
    scaffold(minimal, tmp_path)
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    changed = system_from_text(spec_dir, with_bye_endpoint((EXAMPLES / "minimal" / "rose.yaml").read_text("utf-8")))
    assert missing_handlers(changed, tmp_path) == [
        "services/minimal/hello/handlers.py: missing handler get_bye_by_name(self, name: str, ctx: RequestContext)"
        " -> Greeting"]


def test_the_repositorys_hello_handlers_are_complete(minimal: System) -> None:
    assert missing_handlers(minimal, ROOT) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("class Handlers:\n    pass\n", "missing handler get_hello_by_name"),
    ("class Other:\n    pass\n", "no class Handlers(HelloHandlers)"),
    ("class Handlers(:\n", "cannot parse"),
])
def test_missing_handlers_reads_the_source_only(minimal: System, tmp_path: Path, source: str,
                                                expected: str) -> None:
    path = tmp_path / HELLO
    path.parent.mkdir(parents=True)
    path.write_text(source + "raise SystemExit('never executed')\n", "utf-8")
    [problem] = missing_handlers(minimal, tmp_path)
    assert problem.startswith("services/minimal/hello/handlers.py")
    assert expected in problem


def test_methods_of_a_local_base_class_count(minimal: System, tmp_path: Path) -> None:
    path = tmp_path / HELLO
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent("""
        class Greetings:
            async def get_hello_by_name(self, name, ctx):
                ...

        class Handlers(Greetings):
            pass
    """), "utf-8")
    assert missing_handlers(minimal, tmp_path) == []


def _build(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["build", str(project / "rose.yaml"), "-o",
                                       str(project / "generated" / "minimal"), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_rosec_build_scaffolds_then_warns_about_missing_handlers(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The project root, where handlers are scaffolded, is the current directory."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLES / "minimal" / "rose.yaml", tmp_path / "rose.yaml")
    code, out, err = _build(tmp_path, "--target", "compose")
    assert code == 0
    assert not (tmp_path / HELLO).exists(), "a build without the services target scaffolds nothing"

    code, out, err = _build(tmp_path)
    assert code == 0, err
    assert f"scaffolded {HELLO}" in out
    assert err == ""
    scaffolded = (tmp_path / HELLO).read_text("utf-8")

    spec = tmp_path / "rose.yaml"
    spec.write_text(with_bye_endpoint(spec.read_text("utf-8")), "utf-8")
    code, out, err = _build(tmp_path)
    assert code == 0, err
    assert "scaffolded" not in out
    assert ("warning: services/minimal/hello/handlers.py: missing handler get_bye_by_name(self, name: str, "
            "ctx: RequestContext) -> Greeting") in err
    assert (tmp_path / HELLO).read_text("utf-8") == scaffolded, "never overwritten"
