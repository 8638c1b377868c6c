#!/usr/bin/env bash
# Splash 3.5 (the JavaScript rendering HTTP service) without Docker, on Debian 12.
#
#   bash .ci/splash.sh install   # apt Qt packages + ./.venv-splash with three source patches (~30 s)
#   bash .ci/splash.sh start     # loopback only; prints SPLASH_URL=...; pid file in $SPLASH_RUN
#   bash .ci/splash.sh stop      # stops the server's whole process group (Xvfb included) by PID
#
# Environment: SPLASH_VENV (default ./.venv-splash), SPLASH_PORT (8050), SPLASH_SLOTS (4),
# SPLASH_RUN (pid + log folder, default /tmp/ci-splash).
#
# Why the patches: Splash's last release (2020) predates Python 3.9+ and sip 6, and lupa 2.x
# defaults to a Lua whose require() returns two values. Each sed below fixes one of those, and
# `install` fails loudly if a pattern no longer matches.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${SPLASH_VENV:-$ROOT/.venv-splash}"
PORT="${SPLASH_PORT:-8050}"
RUN="${SPLASH_RUN:-/tmp/ci-splash}"

patch_file() {  # patch_file FILE SED-EXPR: apply and check the file changed
    local before
    before=$(sha1sum "$1")
    sed -i "$2" "$1"
    [ "$before" != "$(sha1sum "$1")" ] || { echo "splash.sh: patch '$2' did not apply to $1" >&2; exit 1; }
}

install() {
    export DEBIAN_FRONTEND=noninteractive
    if ! dpkg -s python3-pyqt5.qtwebkit python3-pyqt5.qtwebengine xvfb >/dev/null 2>&1; then
        apt-get update -q
        apt-get install -y -q --no-install-recommends python3-venv python3-pyqt5 python3-pyqt5.qtwebkit \
            python3-pyqt5.qtwebengine xvfb fonts-noto-core curl
    fi
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import splash' 2>/dev/null; then
        echo "splash.sh: $VENV already installed"; return 0
    fi
    # Debian's interpreter on purpose: the PyQt5/QtWebKit bindings live in its dist-packages.
    /usr/bin/python3 -m venv --system-site-packages "$VENV"
    "$VENV/bin/pip" install -q 'splash==3.5' 'lupa==2.8' 'Twisted==26.10.0' 'qt5reactor==0.6.3'
    local sp lupa
    sp=$("$VENV/bin/python" -c 'import os, splash; print(os.path.dirname(splash.__file__))')
    # 1. json.loads(encoding=) was removed in Python 3.9: every JSON POST would answer 500.
    patch_file "$sp/render_options.py" "s/json.loads(content, encoding='utf8')/json.loads(content)/"
    patch_file "$sp/kernel/inspections.py" \
        "s/json.loads(f.read().decode('utf-8'), encoding='utf8')/json.loads(f.read().decode('utf-8'))/"
    # 2. QTimer.start() takes only int milliseconds under sip 6: wait/timeouts would raise TypeError.
    patch_file "$sp/browser_tab.py" \
        "s/timer.start(time_ms)$/timer.start(int(time_ms))/; s/self._timer.start(timeout \* 1000)$/self._timer.start(int(timeout * 1000))/"
    patch_file "$sp/qtrender_lua.py" "s/qtimer.start(timeout)$/qtimer.start(int(timeout))/; s/qtimer.start(delay)$/qtimer.start(int(delay))/"
    patch_file "$sp/network_manager.py" "s/timer.start(timeout_ms)$/timer.start(int(timeout_ms))/"
    # 3. Keep only lupa's Lua 5.2 build (the one Splash's own images use).
    lupa=$("$VENV/bin/python" -c 'import os, lupa; print(os.path.dirname(lupa.__file__))')
    find "$lupa" -maxdepth 1 -name '*.so' ! -name 'lua52.*' -delete
    "$VENV/bin/python" -c "import lupa; v = lupa.LuaRuntime().eval('_VERSION'); assert v == 'Lua 5.2', v"
    echo "splash.sh: installed Splash $("$VENV/bin/python" -m splash.server --version) in $VENV"
}

start() {
    [ -x "$VENV/bin/python" ] || { echo "splash.sh: run 'bash .ci/splash.sh install' first" >&2; exit 1; }
    mkdir -p "$RUN"
    # QtWebEngine refuses to start as root without this, even when only WebKit renders.
    export QTWEBENGINE_DISABLE_SANDBOX=1
    # setsid: the server leads its own process group, so `stop` also reaches Xvfb and Qt helpers.
    setsid "$VENV/bin/python" -m splash.server --ip 127.0.0.1 --port "$PORT" \
        --slots "${SPLASH_SLOTS:-4}" --max-timeout 90 > "$RUN/splash.log" 2>&1 &
    echo $! > "$RUN/splash.pid"
    for _ in $(seq 1 150); do
        if curl -sf "http://127.0.0.1:$PORT/_ping" > /dev/null; then
            echo "SPLASH_URL=http://127.0.0.1:$PORT"; return 0
        fi
        kill -0 "$(cat "$RUN/splash.pid")" 2>/dev/null || break
        sleep 0.2
    done
    echo "splash.sh: Splash did not come up; see $RUN/splash.log" >&2
    stop; exit 1
}

stop() {
    local pid
    pid=$(cat "$RUN/splash.pid" 2>/dev/null) || return 0
    kill -TERM -- "-$pid" 2>/dev/null || { rm -f "$RUN/splash.pid"; return 0; }
    for _ in $(seq 1 50); do
        kill -0 -- "-$pid" 2>/dev/null || { rm -f "$RUN/splash.pid"; return 0; }
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$RUN/splash.pid"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
