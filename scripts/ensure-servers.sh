#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on their ports; starts them when it can, and
# otherwise says exactly what to start. Used by `make run`, `make test` and `.ci/run`.
set -euo pipefail

PG_HOST=${PG_HOST:-127.0.0.1}; PG_PORT=${PG_PORT:-5432}
AMQP_HOST=${AMQP_HOST:-127.0.0.1}; AMQP_PORT=${AMQP_PORT:-5672}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {  # host port name seconds
  for _ in $(seq 1 "$4"); do port_open "$1" "$2" && return 0; sleep 1; done
  echo "$3 did not come up on $1:$2" >&2; return 1
}

docker_engine() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

start_postgres() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  elif docker_engine; then
    docker compose up -d postgres
  else
    return 1
  fi
}

start_rabbitmq() {
  if command -v rabbitmq-server >/dev/null 2>&1; then
    rabbitmq-server -detached
  elif docker_engine; then
    docker compose up -d rabbitmq
  else
    return 1
  fi
}

missing=0
if ! port_open "$PG_HOST" "$PG_PORT"; then
  echo "PostgreSQL is not reachable on $PG_HOST:$PG_PORT; starting it..."
  if start_postgres; then wait_port "$PG_HOST" "$PG_PORT" PostgreSQL 60 || missing=1; else missing=1; fi
fi
if ! port_open "$AMQP_HOST" "$AMQP_PORT"; then
  echo "RabbitMQ is not reachable on $AMQP_HOST:$AMQP_PORT; starting it..."
  if start_rabbitmq; then wait_port "$AMQP_HOST" "$AMQP_PORT" RabbitMQ 90 || missing=1; else missing=1; fi
fi
if [ "$missing" -ne 0 ]; then
  cat >&2 <<MSG
Schediora needs PostgreSQL on $PG_HOST:$PG_PORT and RabbitMQ on $AMQP_HOST:$AMQP_PORT.
Start them with one of:
  docker compose up -d postgres rabbitmq                      # with a Docker engine
  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start && rabbitmq-server -detached
MSG
  exit 1
fi
# RabbitMQ opens its port before it accepts AMQP sessions; wait until it answers a ping.
if command -v rabbitmq-diagnostics >/dev/null 2>&1; then
  for _ in $(seq 1 60); do rabbitmq-diagnostics -q check_running >/dev/null 2>&1 && break; sleep 1; done
fi
