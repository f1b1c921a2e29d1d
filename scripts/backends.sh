#!/usr/bin/env bash
# Starts one real auth server (installed by scripts/setup.sh from backends/<name>/) on a free
# port on 127.0.0.1, waits until it answers, and prints its api-base URL.
#
#   scripts/backends.sh serve NAME   # foreground: prints the URL, runs until TERM/INT, then stops it
#   scripts/backends.sh start NAME   # background: prints the URL; `stop NAME` ends it
#   scripts/backends.sh stop NAME
#
# NAME: better-auth | allauth | firebase. Environment (all optional):
#   BACKEND_ORIGINS             page origins allowed to call it with cookies (comma-separated)
#   BACKEND_EMAIL_VERIFICATION  required | optional (defaults: better-auth optional, allauth required;
#                               the Firebase emulator cannot require it)
#   BACKEND_SEED_EMAIL, BACKEND_SEED_PASSWORD  the verified account it starts with
#   BACKEND_MAIL_DIR            a folder where it writes the mails it would send (links and their
#                               tokens): better-auth one JSON file each, allauth Django's file backend
#   BACKEND_LINK_TTL_SECS       better-auth: lifetime of its reset and verification links
#   BACKEND_START_TIMEOUT       seconds to wait for it to answer (default 180)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmd=${1:-}; name=${2:-}
export BACKEND_SEED_EMAIL=${BACKEND_SEED_EMAIL:-seeded@example.com}
export BACKEND_SEED_PASSWORD=${BACKEND_SEED_PASSWORD:-correct horse battery staple}
export BACKEND_ORIGINS=${BACKEND_ORIGINS:-}
run_dir="$root/backends/.run"

usage() { sed -n '2,17p' "$0" >&2; exit 2; }
case "$name" in better-auth|allauth|firebase) ;; *) usage ;; esac

free_port() { # a port P with P..P+$1-1 free on 127.0.0.1
  python3 - "$1" <<'PY'
import socket, sys
span = int(sys.argv[1])
for _ in range(200):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    held = [s]
    try:
        for extra in range(1, span):
            t = socket.socket(); t.bind(("127.0.0.1", port + extra)); held.append(t)
    except OSError:
        continue
    finally:
        for h in held: h.close()
    print(port); break
else:
    sys.exit("no free port")
PY
}

serve() {
  local port api server=""
  case "$name" in
    better-auth)
      port=$(free_port 1); api="http://127.0.0.1:$port/api/auth"
      (cd "$root/backends/better-auth" && PORT=$port exec node server.mjs) >&2 &
      server=$! ;;
    allauth)
      port=$(free_port 1); api="http://127.0.0.1:$port/_allauth/browser/v1"
      local data; data=$(mktemp -d -t allauth-backend.XXXXXX)
      export BACKEND_DATA_DIR=$data BACKEND_EMAIL_VERIFICATION=${BACKEND_EMAIL_VERIFICATION:-required}
      local py="$root/backends/allauth/.venv/bin/python"
      (cd "$root/backends/allauth" && "$py" manage.py migrate -v 0 \
        && "$py" manage.py seed_account "$BACKEND_SEED_EMAIL" "$BACKEND_SEED_PASSWORD" >/dev/null \
        && exec "$py" manage.py runserver --noreload --skip-checks "127.0.0.1:$port") >&2 &
      server=$! ;;
    firebase)
      port=$(free_port 3); api="http://127.0.0.1:$port/identitytoolkit.googleapis.com/v1"
      (cd "$root/backends/firebase" && PORT=$port exec bash start.sh) >&2 &
      server=$! ;;
  esac
  stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    [ -n "${BACKEND_DATA_DIR:-}" ] && rm -rf "$BACKEND_DATA_DIR"
  }
  trap stop_server EXIT
  trap 'exit 143' TERM INT

  # Ready = answers HTTP (firebase: after its start script configured and seeded it).
  local deadline=$((SECONDS + ${BACKEND_START_TIMEOUT:-180})) probe
  case "$name" in
    firebase) probe="http://127.0.0.1:$port/emulator/v1/projects/demo-auth-widget/config" ;;
    *) probe="$api/" ;;
  esac
  until code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer owner' "$probe") && [ "$code" != 000 ] \
        && { [ "$name" != firebase ] || [ -n "$(curl -s -H 'Authorization: Bearer owner' "$probe" | grep -o '"enableImprovedEmailPrivacy":true')" ]; }; do
    kill -0 "$server" 2>/dev/null || { echo "backends: $name exited before answering" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "backends: $name did not answer within the timeout" >&2; exit 1; }
    sleep 0.2
  done
  echo "$api"
  wait "$server"
}

case "$cmd" in
  serve) serve ;;
  start)
    mkdir -p "$run_dir"
    setsid bash "$0" serve "$name" >"$run_dir/$name.out" 2>"$run_dir/$name.log" &
    echo $! >"$run_dir/$name.pid"
    until [ -s "$run_dir/$name.out" ]; do
      kill -0 "$(cat "$run_dir/$name.pid")" 2>/dev/null || { cat "$run_dir/$name.log" >&2; exit 1; }
      sleep 0.2
    done
    head -n1 "$run_dir/$name.out" ;;
  stop)
    [ -f "$run_dir/$name.pid" ] || { echo "backends: $name is not running" >&2; exit 1; }
    kill -TERM -- "-$(cat "$run_dir/$name.pid")" 2>/dev/null || true
    rm -f "$run_dir/$name.pid" "$run_dir/$name.out" ;;
  *) usage ;;
esac
