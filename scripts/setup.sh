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
need=""
for pair in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils ip:iproute2 cpio:cpio mvn:maven insmod:kmod; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx insmod && ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
  || need="$need busybox-static"
if [ -n "$need" ]; then
  echo "livezone: installing Debian packages:$need" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

# 2. Maven build, when any source or POM is newer than the last build.
jar=cli/target/livezone-cli.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./build -prune -o \( -name '*.java' -o -name pom.xml -o -name '*.xml' -path '*/resources/*' \) -newer "$jar" -print -quit)" ]; then
  echo "livezone: building (mvn package)" >&2
  mvn -q -B package -DskipTests -Dmaven.test.skip=true >&2 2>&1 || { echo "livezone: build failed" >&2; exit 1; }
fi

# 3. The zone guest image (kernel + initramfs with the zone server).
scripts/build-guest.sh build/guest dve/target/livezone-dve.jar
