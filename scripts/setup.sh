#!/usr/bin/env bash
# Idempotent set-up shared by bin/livezone and bin/test: Debian packages, the Maven build, the zone guest image.
# Each step is skipped when already done: once set up, a run costs a few milliseconds (no apt, no Maven).
# Every failing step says which step failed and why; this script never exits silently.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
cd "$home"

step="start"
# set -e ends the script at the first failing command; say where, never exit silently.
trap 'rc=$?; echo "livezone: set-up step \"$step\" failed (exit $rc) at: $BASH_COMMAND" >&2; exit $rc' ERR

step="choose a JDK"
. scripts/env.sh

if [ "$(id -u)" != 0 ]; then
  echo "livezone: run as root (zones use network namespaces, bridges and taps)" >&2
  exit 1
fi

# 1. Debian packages (command -> package).
# QEMU comes from bookworm-backports (10.x): bookworm's QEMU 7.2 loses guest writes during TCG live migration
# (dirty pages written through cached TLB entries are not re-sent; the guest kernel then crashes on corrupted
# memory seconds after the switchover). Measured: docs/qemu-7.2-tcg-migration.md.
step="check Debian packages"
need=""
while read -r cmd pkg; do
  case $cmd in ''|'#'*) continue ;; esac
  command -v "$cmd" >/dev/null 2>&1 || need="$need $pkg"
done < scripts/debian-packages
# Debian's dynamic busybox also provides /bin/busybox, but the guest needs the static one.
case $need in *busybox-static*) ;; *) dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static" ;; esac
qemu_major=0
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
  qemu_major=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p' || true)
fi
if [ -n "$need" ] || [ "${qemu_major:-0}" -lt 8 ] || ! command -v qemu-img >/dev/null 2>&1; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  step="add the bookworm-backports source"
  if [ "$codename" = bookworm ] && [ ! -f /etc/apt/sources.list.d/livezone-backports.list ]; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/livezone-backports.list
  fi
  echo "livezone: installing Debian packages:$need qemu-system-x86 qemu-utils (first run only)" >&2
  step="apt-get update"
  apt-get update -qq >/dev/null
  step="install QEMU (qemu-system-x86, qemu-utils)"
  if [ "$codename" = bookworm ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports qemu-system-x86 qemu-utils >/dev/null
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-x86 qemu-utils >/dev/null
  fi
  if [ -n "$need" ]; then
    step="install Debian packages:$need"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
  step="check QEMU after install"
  qemu_major=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
  if [ "${qemu_major:-0}" -lt 8 ]; then
    echo "livezone: QEMU ${qemu_major:-?} installed, 8 or newer needed (bookworm-backports)" >&2
    exit 1
  fi
fi

# 1b. pgbench, PostgreSQL's standard client (bench images, the database zone's players): Debian ships it
# only in the server package, so it is unpacked from postgresql-15's .deb into build/tools; no PostgreSQL
# server is installed or started on this machine. It links Debian's libpq5 (postgresql-client).
step="unpack pgbench from Debian's postgresql-15 package"
if [ ! -x build/tools/pgbench ]; then
  pgtmp=$(mktemp -d)
  if ! (cd "$pgtmp" && apt-get download -qq postgresql-15 >/dev/null 2>&1); then
    apt-get update -qq >/dev/null
    (cd "$pgtmp" && apt-get download -qq postgresql-15 >/dev/null)
  fi
  dpkg-deb -x "$pgtmp"/postgresql-15_*.deb "$pgtmp/x"
  mkdir -p build/tools
  cp "$pgtmp/x/usr/lib/postgresql/15/bin/pgbench" build/tools/pgbench.new
  mv build/tools/pgbench.new build/tools/pgbench
  rm -rf "$pgtmp"
fi

# 2. Maven build, when any source or POM is newer than the last build (find stops at the first hit). The
# stamp, not the jar, marks the build: Maven leaves an up-to-date jar untouched, so a changed test source
# would otherwise look newer than the jar on every call.
step="Maven build"
jar=cli/target/livezone-cli.jar
stamp=build/maven.stamp
if [ ! -f "$jar" ] || [ ! -f "$stamp" ] || [ -n "$(find . \( -path ./build -o -path ./.git -o -name target \) -prune -o \( -name '*.java' -o -name pom.xml -o -path '*/src/main/resources/*' \) -newer "$stamp" -print -quit)" ]; then
  echo "livezone: building (mvn package)" >&2
  mkdir -p build
  touch "$stamp.new"
  if ! mvn -q -B -Dstyle.color=never package -Dmaven.test.skip=true >&2; then
    echo "livezone: set-up step \"Maven build\" failed: mvn package reported the errors above" >&2
    exit 1
  fi
  mv "$stamp.new" "$stamp"   # sources changed during the build stay newer than the stamp
fi

# 3. The zone guest image (kernel + initramfs with the zone server).
step="build the zone guest image"
scripts/build-guest.sh build/guest dve/target/livezone-dve.jar
