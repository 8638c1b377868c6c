#!/usr/bin/env bash
# A throwaway Redis for distributed crawls and their tests, on Debian 12.
#
#   bash .ci/redis.sh install   # apt-get install redis-server (the package's own service stays off in CI)
#   bash .ci/redis.sh start     # loopback only, no persistence; prints REDIS_URL=...
#   bash .ci/redis.sh stop      # stops that server by its pid file
#
# Environment: REDIS_PORT (default 6390), REDIS_RUN (pid + log folder, default /tmp/ci-redis).
# tests/test_distributed.py starts its own server on a free port, so CI needs only `install`.
set -euo pipefail
PORT="${REDIS_PORT:-6390}"
RUN="${REDIS_RUN:-/tmp/ci-redis}"

case "${1:-}" in
install)
    if ! command -v redis-server > /dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends redis-server
    fi
    redis-server --version ;;
start)
    mkdir -p "$RUN"
    redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log"
    for _ in $(seq 1 100); do
        if redis-cli -p "$PORT" ping 2> /dev/null | grep -q PONG; then
            echo "REDIS_URL=redis://127.0.0.1:$PORT/0"; exit 0
        fi
        sleep 0.1
    done
    echo "redis.sh: Redis did not answer on port $PORT; see $RUN/redis.log" >&2; exit 1 ;;
stop)
    if [ -f "$RUN/redis.pid" ]; then
        pid=$(cat "$RUN/redis.pid")
        kill "$pid" 2> /dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        rm -f "$RUN/redis.pid"
    fi ;;
*)
    echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
