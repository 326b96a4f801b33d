#!/usr/bin/env bash
# Plays a new user on a fresh machine of this kind: removes what LiveZone's set-up installs (its Debian
# packages and the bookworm-backports source), build/, every target/ and LiveZone's artifacts in the local
# Maven repository, then runs the README's two commands from a clean clone of the committed HEAD.
# Last line of stdout: {"demo_ok":…,"demo_s":…,"test_ok":…,"test_s":…}. Logs stay in the folder it names.
# Usage: scripts/fresh-check.sh [--keep-packages]   (as root; takes the machine for ~20 minutes)
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
step=start
trap 'rc=$?; echo "fresh-check: step \"$step\" failed (exit $rc) at: $BASH_COMMAND" >&2; exit $rc' ERR
keep_packages=0
case "${1:-}" in
  --keep-packages) keep_packages=1 ;;
  "") ;;
  *) echo "usage: scripts/fresh-check.sh [--keep-packages]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root" >&2; exit 2; }
if pgrep -f 'livezone-(cli|coordinator|agent)|io\.livezone\.' >/dev/null; then
  echo "fresh-check: LiveZone processes are running (pgrep -af io.livezone); stop them first" >&2
  exit 2
fi

logs=$(mktemp -d /tmp/livezone-fresh-check.XXXXXX)
clone="$logs/livezone"
trap 'rm -rf "$clone"' EXIT
echo "fresh-check: logs in $logs" >&2

step="remove what set-up installed"
if [ "$keep_packages" = 0 ]; then
  pkgs="qemu-system-x86 qemu-utils"
  while read -r cmd pkg; do
    case $cmd in ''|'#'*) continue ;; esac
    # Only what a fresh machine lacks: Maven, iproute2, util-linux and zstd come with the machine.
    case $pkg in maven|iproute2|util-linux|zstd) continue ;; esac
    dpkg -s "$pkg" >/dev/null 2>&1 && pkgs="$pkgs $pkg"
  done < "$home/scripts/debian-packages"
  echo "fresh-check: purging$(printf ' %s' $pkgs)" >&2
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $pkgs >"$logs/apt-purge.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >>"$logs/apt-purge.log" 2>&1
  rm -f /etc/apt/sources.list.d/livezone-backports.list
  if command -v qemu-system-x86_64 >/dev/null || command -v chromium >/dev/null; then
    echo "fresh-check: QEMU or chromium is still installed after the purge" >&2
    exit 1
  fi
fi
rm -rf "$home/build"
find "$home" -name target -type d -prune -exec rm -rf {} +
rm -rf "${HOME:-/root}/.m2/repository/io/livezone"
# Debian packages that image builds downloaded: a fresh machine fetches them from Debian.
rm -rf /var/cache/livezone

step="clone"
git clone -q --no-local "$home" "$clone"

# Each README command is timed from the clean clone; set-up (packages, build, guest image) is part of it.
run() {
  local name=$1; shift
  local start=$SECONDS rc=0
  (cd "$clone" && "$@") >"$logs/$name.log" 2>&1 </dev/null || rc=$?
  echo "$rc $((SECONDS - start))"
}
step="bin/livezone demo"
read -r demo_rc demo_s < <(run demo bin/livezone demo)
echo "fresh-check: demo exit $demo_rc after ${demo_s}s (log $logs/demo.log)" >&2
step="bin/test"
read -r test_rc test_s < <(run test bin/test)
echo "fresh-check: test exit $test_rc after ${test_s}s (log $logs/test.log)" >&2
grep -E "Tests run:.*Fail|BUILD" "$logs/test.log" | tail -3 >&2 || true

ok() { [ "$1" = 0 ] && echo true || echo false; }
printf '{"demo_ok":%s,"demo_s":%d,"test_ok":%s,"test_s":%d}\n' \
  "$(ok "$demo_rc")" "$demo_s" "$(ok "$test_rc")" "$test_s"
