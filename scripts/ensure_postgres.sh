#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 for the state-store, queue, chaos and worker tests and benchmarks:
# start the machine's cluster when it does not answer, installing Debian's server first if missing.
set -euo pipefail
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && exit 0
if ! { command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; }; then
  echo "installing Debian's postgresql"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
echo "starting PostgreSQL"
$SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && exit 0
  sleep 1
done
echo "PostgreSQL did not answer on 127.0.0.1:5432" >&2
exit 1
