#!/usr/bin/env bash
# Set up everything rosec and its tests need on a fresh machine (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests run: promtool, amtool and the Prometheus and Alertmanager servers (2.42 / 0.25; the
# tests start servers of their own on free loopback ports, a service the packages may start is not used), decK
# (validates the generated kong.yaml offline; Debian's is 1.4) and jq (the README's commands).
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
{ command -v amtool >/dev/null && command -v prometheus-alertmanager >/dev/null; } || missing+=(prometheus-alertmanager)
command -v deck >/dev/null || missing+=(deck)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

# The npm validators the tests run over generated output (Redocly, AsyncAPI CLI, @grafana/schema, TypeScript):
# pinned by tools/package-lock.json, installed into the git-ignored .tools/ (tests look for .tools/node_modules/.bin).
if ! command -v npm >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends nodejs npm >/dev/null
  else
    echo "npm is missing: install Node.js 20+ and npm (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
npm_tools() {
  if ! cmp -s tools/package-lock.json .tools/package-lock.json || [ ! -d .tools/node_modules/.bin ]; then
    rm -rf .tools/node_modules .tools/package.json .tools/package-lock.json
    mkdir -p .tools
    cp tools/package.json tools/package-lock.json .tools/
    (cd .tools && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# checkov scans the rendered Kubernetes manifests (tests/charts) and the Terraform (tests/terraform). It pins
# packaging<24 and boto3, which clash with pytest and the dev extra, so it lives in a virtualenv of its own under
# the git-ignored .tools/.
CHECKOV_VERSION=3.3.30
checkov_tool() {
  if ! .tools/checkov/bin/checkov --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
    python3 -m venv .tools/checkov
    .tools/checkov/bin/python -m pip install --quiet --disable-pip-version-check --no-compile "checkov==$CHECKOV_VERSION"
  fi
  compile_bytecode .tools/checkov/bin/python
}

# pip installs with --no-compile (quicker), and a machine may set PYTHONDONTWRITEBYTECODE: then no process would
# ever write bytecode, and every Python process of the tests would compile what it imports from source (a
# checkov run took 7.5 s instead of 3 s to start). Compile it all once; later runs only check the timestamps.
compile_bytecode() {
  local python=$1
  shift
  "$python" -m compileall -q -j0 "$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" "$@" \
    >/dev/null || echo "note: some modules of $python did not compile to bytecode (they compile on import)" >&2
}

python_packages() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -e '.[dev]'
  compile_bytecode .venv/bin/python rosec
}

# The three installs are independent and mostly wait on downloads and unpacking: they run side by side, and a
# failure of any fails the setup.
mkdir -p .tools
jobs_started=()
for install in python_packages npm_tools checkov_tool; do
  "$install" &
  jobs_started+=($!)
done
for job in "${jobs_started[@]}"; do
  wait "$job"
done

# Terraform 1.11 and the AWS provider 5.100.0 in a filesystem mirror (tests/terraform) cannot be downloaded here:
# they must be on the machine. Say so clearly instead of letting the tests find out.
if ! command -v terraform >/dev/null; then
  echo "terraform is missing: install Terraform 1.11 on the PATH (tests/terraform validate, plan and apply the generated roots)" >&2
  exit 1
fi
if [ ! -d "${ROSEC_TF_MIRROR:-/opt/tf-plugins}/registry.terraform.io/hashicorp/aws/5.100.0" ]; then
  echo "the AWS provider 5.100.0 is missing from the Terraform mirror ${ROSEC_TF_MIRROR:-/opt/tf-plugins} (set ROSEC_TF_MIRROR)" >&2
  exit 1
fi
