"""The API documents pass their real linters: Redocly (recommended rules) over every openapi.json, with an
operationId and a summary on every operation; the AsyncAPI CLI over every asyncapi.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quality.tools import NPM_BIN, NPM_HINT, executable, report, run
from quality.trees import SPECS, Tree

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in HTTP_METHODS]


def test_every_operation_has_an_operation_id_and_a_summary(tree: Tree) -> None:
    documents = tree.paths("openapi.json")
    assert documents or not any(s.endpoints for s in tree.system.services)
    for path in documents:
        for route, method, operation in operations(json.loads(path.read_text("utf-8"))):
            assert operation.get("operationId"), f"{path}: {method} {route} has no operationId"
            assert operation.get("summary", "").strip(), f"{path}: {method} {route} has no summary"


def test_redocly_lint_reports_no_error(tree: Tree) -> None:
    documents = tree.paths("openapi.json")
    if not documents:
        assert not any(s.endpoints for s in tree.system.services)
        return
    redocly = executable("redocly", NPM_HINT, NPM_BIN)
    result = run([redocly, "lint", "--format=stylish", *map(str, documents)], env={"REDOCLY_TELEMETRY": "off"})
    assert result.returncode == 0, report(result)
    assert " error " not in result.stdout, report(result)


@pytest.fixture(scope="session")
def asyncapi_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The AsyncAPI CLI sends usage metrics unless its config says no; these tests never reach the network."""
    config = tmp_path_factory.mktemp("asyncapi") / "analytics.json"
    config.write_text(json.dumps({"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "tests"}))
    return {"ASYNCAPI_METRICS_CONFIG_PATH": str(config)}


def asyncapi_documents(built_trees) -> list[Path]:
    return [path for name in sorted(SPECS) for path in built_trees(name).paths("asyncapi.yaml")]


def test_asyncapi_cli_says_every_document_is_valid(built_trees, asyncapi_env: dict[str, str]) -> None:
    documents = asyncapi_documents(built_trees)
    assert len(documents) >= 2, "the shop and the stress spec publish events"
    asyncapi = executable("asyncapi", NPM_HINT, NPM_BIN)
    for document in documents:
        result = run([asyncapi, "validate", str(document), "--fail-severity", "error"], env=asyncapi_env)
        assert result.returncode == 0 and "is valid" in result.stdout, report(result)
