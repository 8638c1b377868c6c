#!/usr/bin/env bash
# Install what the PostgreSQL store tests need: the server binaries (tests/pg.py starts and stops a
# throwaway server itself, as the 'postgres' user, on a free 127.0.0.1 port). The Python driver
# (psycopg[binary]) bundles libpq and comes from pyproject. Debian's default cluster is not
# started: in containers policy-rc.d blocks it, and the tests never use it.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "postgresql: already installed ($(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1))"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
echo "postgresql: installed ($(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1))"
