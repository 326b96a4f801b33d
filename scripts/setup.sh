#!/usr/bin/env bash
# Idempotent set-up shared by bin/livezone and bin/test: Debian packages, the Maven build, the zone guest image.
# Each step is skipped when already done, so a second run costs a few seconds.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
cd "$home"
. scripts/env.sh

if [ "$(id -u)" != 0 ]; then
  echo "livezone: run as root (zones use network namespaces, bridges and taps)" >&2
  exit 1
fi

# 1. Debian packages (command -> package).
# QEMU comes from bookworm-backports (10.x): bookworm's QEMU 7.2 loses guest writes during TCG live migration
# (dirty pages written through cached TLB entries are not re-sent; the guest kernel then crashes on corrupted
# memory seconds after the switchover). Measured: docs/qemu-7.2-tcg-migration.md.
need=""
# chromium and chromedriver: the dashboard's browser test (integration DashboardTest).
# redis-tools: Debian's Redis server (copied unmodified into the guest image) and its standard client.
for pair in ip:iproute2 cpio:cpio mvn:maven insmod:kmod setsid:util-linux chromium:chromium chromedriver:chromium-driver redis-cli:redis-tools; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
# The guest needs the static busybox (it runs without a libc in the initramfs).
dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
qemu_major=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
if [ -n "$need" ] || [ "${qemu_major:-0}" -lt 8 ] || ! command -v qemu-img >/dev/null 2>&1; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ "$codename" = bookworm ] && [ ! -f /etc/apt/sources.list.d/livezone-backports.list ]; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/livezone-backports.list
  fi
  echo "livezone: installing Debian packages:$need qemu-system-x86 qemu-utils" >&2
  apt-get update -qq >/dev/null
  if [ "$codename" = bookworm ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports qemu-system-x86 qemu-utils >/dev/null
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-x86 qemu-utils >/dev/null
  fi
  if [ -n "$need" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
fi

# 2. Maven build, when any source or POM is newer than the last build.
jar=cli/target/livezone-cli.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./build -prune -o \( -name '*.java' -o -name pom.xml -o -name '*.xml' -path '*/resources/*' \) -newer "$jar" -print -quit)" ]; then
  echo "livezone: building (mvn package)" >&2
  mvn -q -B -Dstyle.color=never package -Dmaven.test.skip=true >&2 2>&1 || { echo "livezone: build failed" >&2; exit 1; }
fi

# 3. The zone guest image (kernel + initramfs with the zone server).
scripts/build-guest.sh build/guest dve/target/livezone-dve.jar
