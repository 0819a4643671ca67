#!/usr/bin/env bash
# Start the local RabbitMQ (127.0.0.1:5672) and PostgreSQL (127.0.0.1:5432) the tests use, when they are not up.
# These machines start both before a session; this only restarts one that stopped.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  echo "$name is not listening on 127.0.0.1:$port; install and start it (Debian: apt-get install $3)" >&2
  return 1
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi
if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached || true
  fi
fi
wait_for 5432 PostgreSQL postgresql && wait_for 5672 RabbitMQ rabbitmq-server
