#!/usr/bin/env bash
# Builds the zone guest image: a Debian kernel plus an initramfs holding busybox, the virtio
# modules, a jlink'd Java runtime (java.base only), the DVE zone server jar and the disk writer;
# and the same with Debian's Redis server added (initrd-redis.img).
# Idempotent: rebuilds only when an input (kernel version, zone server jar, these scripts) changed.
# Usage: scripts/build-guest.sh <out-dir> <dve-jar>
set -euo pipefail
out=${1:?out dir}; jar=${2:?dve jar}
here=$(cd "$(dirname "$0")" && pwd)
trap 'echo "build-guest: failed (exit $?) at: $BASH_COMMAND" >&2' ERR
: "${JAVA_HOME:?JAVA_HOME must point at a JDK with jlink}"
mkdir -p "$out"; out=$(cd "$out" && pwd)

# Debian's Redis server, unmodified: the off-the-shelf server a zone can run beside ours (lz.redis=PORT).
# Debian ships it as redis-check-rdb (redis-server is a symlink to it; the name picks the mode).
redis=/usr/bin/redis-check-rdb
[ -x "$redis" ] || { echo "build-guest: $redis missing (install redis-tools)" >&2; exit 1; }
[ -f "$jar" ] || { echo "build-guest: zone server jar $jar missing (run the Maven build)" >&2; exit 1; }
# Up to date when the inputs hash as before: checked first, so a set-up machine pays no apt look-up.
inputs=$(sha256sum "$jar" "$redis" "$here/build-guest.sh" "$here/guest-init.sh" "$here/guest-disk-writer.sh" | sha256sum | cut -c1-16)
if [ -f "$out/stamp" ] && [ "$(cut -d' ' -f2 "$out/stamp")" = "$inputs" ] && [ -f "$out/vmlinuz" ] \
   && [ -f "$out/initrd.img" ] && [ -f "$out/initrd-redis.img" ]; then
  exit 0
fi

kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$kpkg" ]; then
  apt-get update -qq >/dev/null
  kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
[ -n "$kpkg" ] || { echo "build-guest: cannot resolve the Debian kernel package (linux-image-amd64)" >&2; exit 1; }
stamp="$kpkg $inputs"
echo "build-guest: building zone guest image ($kpkg) in $out" >&2
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Kernel: extracted from the Debian package, never installed on the host.
if [ ! -f "$out/kernel/$kpkg.done" ]; then
  rm -rf "$out/kernel"; mkdir -p "$out/kernel"
  (cd "$work" && apt-get download "$kpkg" >/dev/null)
  dpkg -x "$work"/"$kpkg"_*.deb "$out/kernel/root"
  rm -f "$work"/*.deb
  touch "$out/kernel/$kpkg.done"
fi
kver=$(ls "$out/kernel/root/lib/modules" | head -1)
cp "$out/kernel/root/boot/vmlinuz-$kver" "$out/vmlinuz.tmp"

root="$work/root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules,zone,lib64,usr/lib}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
  [ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done

# Modules in dependency order (see shared NOTES): virtio transport, then the NIC, then the block device.
mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net virtio_blk e1000"
: > "$root/lib/modules/load-order"
for m in $mods; do
  f=$(find "$out/kernel/root/lib/modules/$kver" -name "$m.ko*" | head -1)
  [ -n "$f" ] || { echo "build-guest: module $m not found in $kpkg" >&2; exit 1; }
  case $f in
    *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
  esac
  echo "$m" >> "$root/lib/modules/load-order"
done

# Java runtime with java.base only: the zone server uses nothing else.
"$JAVA_HOME/bin/jlink" --add-modules java.base --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$root/java" 2>/dev/null \
  || "$JAVA_HOME/bin/jlink" --add-modules java.base --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$root/java"
# Debug symbols are most of libjvm.so; the guest's RAM holds the whole initramfs, so drop them.
if command -v strip >/dev/null 2>&1; then
  strip --strip-unneeded "$root/java/lib/server/libjvm.so" "$root"/java/lib/*.so 2>/dev/null || true
fi
# The host's shared libraries the runtime links against.
for lib in $(ldd "$root/java/bin/java" "$root/java/lib/server/libjvm.so" "$root"/java/lib/*.so 2>/dev/null \
            | awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u); do
  [ -f "$lib" ] || continue
  case $lib in "$root"/*) continue ;; esac   # the runtime's own libraries are already in place
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp "$jar" "$root/zone/livezone-dve.jar"
cp "$here/guest-init.sh" "$root/init"
cp "$here/guest-disk-writer.sh" "$root/bin/lz-disk-writer"
chmod +x "$root/init" "$root/bin/lz-disk-writer"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.img.tmp"

# Redis goes in a second archive appended to the first (the kernel unpacks concatenated archives in
# order): initrd-redis.img boots zones that run it; the others do not pay its memory (the initramfs
# lives in the guest's RAM, and 160 MiB guests run out during boot with it).
rroot="$work/redis"
mkdir -p "$rroot/bin"
cp "$redis" "$rroot/bin/redis-check-rdb"
ln -s redis-check-rdb "$rroot/bin/redis-server"
for lib in $(ldd "$redis" | awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u); do
  [ -f "$lib" ] || continue
  [ -e "$root$lib" ] && continue
  mkdir -p "$rroot$(dirname "$lib")"
  cp -L "$lib" "$rroot$lib"
done
(cd "$rroot" && find . -mindepth 1 | cpio -o -H newc --quiet | gzip -1) > "$work/redis.cpio.gz"
cat "$out/initrd.img.tmp" "$work/redis.cpio.gz" > "$out/initrd-redis.img.tmp"

mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/initrd.img.tmp" "$out/initrd.img"
mv "$out/initrd-redis.img.tmp" "$out/initrd-redis.img"
echo "$kver" > "$out/kernel-version"
echo "$stamp" > "$out/stamp"
echo "build-guest: done ($(du -h "$out/initrd.img" | cut -f1) initrd, $(du -h "$out/initrd-redis.img" | cut -f1) with Redis)" >&2
