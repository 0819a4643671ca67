"""`rosec build` and `rosec check` end to end: the shortcut of the build record, else load, render and write
(or compare), then the handlers of the generation gap, then a new record.

Errors are exceptions for the command line to report: SpecError (the spec), WriteRefusedError (hand edits),
StrictWarningsError (warnings with --strict: raised before anything is written). The spec's warnings otherwise
travel in the report, as rendered text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rosec.diagnostics import render_text
from rosec.emit.manifest import sha256
from rosec.emit.record import (
    BuildKey,
    BuildRecord,
    code_fingerprint,
    handler_states,
    output_snapshot,
    save_record,
    up_to_date,
)
from rosec.pipeline import compile_spec, gc_paused, load_system, read_spec
from rosec.project import default_output

if TYPE_CHECKING:
    from rosec.emit.writer import Drift, WriteResult
    from rosec.forked import Forked
    from rosec.model.system import System
    from rosec.targets.services.scaffold import HandlersPlan

SERVICES_TARGET = "services"  # the target whose services have hand-written handlers


@dataclass(frozen=True)
class Request:
    spec: Path
    root: Path  # absolute
    output: Path | None  # -o, if given
    targets: tuple[str, ...] | None  # as asked for (validated only when the record does not apply); None: all
    strict: bool = False  # warnings fail: StrictWarningsError before anything is written

    @property
    def key(self) -> BuildKey:
        output = str(self.output.absolute()) if self.output is not None else None
        targets = tuple(sorted(self.targets)) if self.targets is not None else None
        return BuildKey(str(self.spec.absolute()), str(self.root), output, targets)

    @property
    def scaffolds(self) -> bool:
        return self.targets is None or SERVICES_TARGET in self.targets

    def output_of(self, system: System) -> Path:
        return self.output if self.output is not None else default_output(system, self.root)


@dataclass
class BuildReport:
    out: Path
    files: int  # files rosec owns in the output
    result: WriteResult | None  # None: the record showed that nothing changed
    scaffolded: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # handlers the user's modules lack
    spec_warnings: str = ""  # the spec's warnings, rendered; "" for none


class StrictWarningsError(Exception):
    """The spec has warnings and --strict makes them fail; str() is the rendered warnings."""


def _spec_warnings(request: Request, rendered: str) -> str:
    if request.strict and rendered:
        raise StrictWarningsError(rendered)
    return rendered


def build(request: Request, force: bool = False) -> BuildReport:
    code = code_fingerprint()  # before anything runs: a change to rosec meanwhile fails the next build's match
    spec_bytes = read_spec(request.spec)
    record = up_to_date(request.key, spec_bytes, code)
    if record is not None:
        report = BuildReport(Path(record.output), record.files, None, warnings=list(record.warnings),
                             spec_warnings=_spec_warnings(request, record.spec_warnings))
        if request.scaffolds and handler_states(request.root, list(record.handlers)) != record.handlers:
            _handlers(request, load_system(request.spec, spec_bytes), report, record)
        return report
    with gc_paused():  # the collector would walk the system and the rendered tree while the files are written
        return _build(request, force, code, spec_bytes)


def _build(request: Request, force: bool, code: str, spec_bytes: bytes) -> BuildReport:
    from rosec.emit import writer
    from rosec.pipeline import built_from, render

    targets = validated_targets(request.targets)
    system, warnings = compile_spec(request.spec, spec_bytes)
    rendered = _spec_warnings(request, render_text(warnings) if warnings else "")
    out = request.output_of(system)
    handlers = _plan_handlers(request, system)
    try:
        with writer.staging_directory(out) as staging:
            tree = render(system, targets, staging)
            result = writer.write(out, tree, system.name, system.spec_file, targets, force,
                                  built_from(targets, spec_bytes), staging)
    except BaseException:
        if handlers is not None:
            handlers.cancel()
        raise
    record = BuildRecord(request.key, code, sha256(spec_bytes), str(out.absolute()), sha256(result.manifest),
                         result.files, spec_warnings=rendered)
    record.output_stats, record.racy = output_snapshot(out, result.manifest, result.stats)
    report = BuildReport(out, result.files, result, spec_warnings=rendered)
    _handlers(request, system, report, record, handlers.result() if handlers is not None else None)
    return report


def _plan_handlers(request: Request, system: System) -> Forked[HandlersPlan] | None:
    """The handlers plan, prepared in a child process for a large system while this one renders and writes the
    output (1000 services: rendering the scaffolds and parsing the existing modules take about 0.4 s). Forked
    before rendering starts threads or a child of its own; the scheduler gives it the time one of the two
    rendering processes leaves when it finishes before the other."""
    if not request.scaffolds:
        return None
    from rosec.forked import Forked
    from rosec.render_processes import in_parallel
    from rosec.targets.services.scaffold import plan_handlers

    return Forked(lambda: plan_handlers(system, request.root), fork=in_parallel(system))


def check(request: Request) -> tuple[Path, Drift | None, str]:
    """The output directory, its drift from the spec (None when the build record shows it is up to date) and the
    spec's warnings, rendered (StrictWarningsError instead, with --strict)."""
    spec_bytes = read_spec(request.spec)
    record = up_to_date(request.key, spec_bytes, code_fingerprint())
    if record is not None:
        return Path(record.output), None, _spec_warnings(request, record.spec_warnings)
    with gc_paused():
        return _check(request, spec_bytes)


def _check(request: Request, spec_bytes: bytes) -> tuple[Path, Drift | None, str]:
    from rosec.emit import writer
    from rosec.pipeline import built_from, render

    targets = validated_targets(request.targets)
    system, warnings = compile_spec(request.spec, spec_bytes)
    rendered = _spec_warnings(request, render_text(warnings) if warnings else "")
    out = request.output_of(system)
    return out, writer.compare(out, render(system, targets), targets, system=system.name, spec=system.spec_file,
                               built_from=built_from(targets, spec_bytes)), rendered


def _handlers(request: Request, system: System, report: BuildReport, record: BuildRecord,
              plan: HandlersPlan | None = None) -> None:
    """Generation gap: scaffold missing handler modules once, name the handlers they lack; then record."""
    if request.scaffolds:
        from rosec.targets.services.scaffold import handlers_path, plan_handlers, write_scaffolds

        plan = plan if plan is not None else plan_handlers(system, request.root)
        report.scaffolded = write_scaffolds(plan.scaffolds)
        report.warnings = plan.problems
        paths = [handlers_path(system, service).as_posix() for service in system.services]
        written = {path.relative_to(request.root).as_posix(): plan.scaffolds[path] for path in report.scaffolded}
        record.handlers = handler_states(request.root, paths, written)
        record.warnings = report.warnings
    save_record(request.root, record)


class UnknownTargetError(ValueError):
    """A --target that no registered target has."""


def validated_targets(names: Sequence[str] | None) -> tuple[str, ...] | None:
    """The targets named (duplicates dropped), None for none; UnknownTargetError naming the unknown ones."""
    if not names:
        return None
    from rosec.targets import registered_targets

    known = registered_targets()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownTargetError(f"unknown target(s): {', '.join(unknown)}; available: {', '.join(sorted(known))}")
    return tuple(dict.fromkeys(names))
