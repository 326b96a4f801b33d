#!/usr/bin/env bash
# Builds a zone image's root filesystem from Debian packages (bookworm), without loop mounts:
#   mmdebstrap (Debian resolves and installs the packages) -> /lz/{init,service,probe} added ->
#   mkfs.ext4 -d (filesystem filled from the folder) -> qemu-img convert to qcow2.
# Also builds, once per kernel, the root initramfs every built image boots with (rootboot.img in the
# guest folder: busybox, virtio and ext4 modules, scripts/image-rootboot-init.sh).
# Repeatable: SOURCE_DATE_EPOCH and a UUID and hash seed derived from the digest.
# Usage: scripts/build-image.sh <guest-dir> <out-dir> <packages,comma,separated> <exec> <probe> <digest>
# Prints progress lines "phase: …" on stderr; on success <out-dir>/root.qcow2 exists.
set -euo pipefail
guest=${1:?guest dir}; out=${2:?out dir}; packages=${3:?packages}; exec_line=${4:?exec}
probe=${5:?probe}; digest=${6:?digest}
here=$(cd "$(dirname "$0")" && pwd)
trap 'echo "build-image: failed (exit $?) at: $BASH_COMMAND" >&2' ERR
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

for tool in mmdebstrap mkfs.ext4 qemu-img cpio; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done
kroot="$guest/kernel/root"
[ -d "$kroot/lib/modules" ] || { echo "build-image: no extracted kernel in $guest (run scripts/setup.sh)" >&2; exit 1; }
kver=$(ls "$kroot/lib/modules" | head -1)

# --- the root initramfs, shared by every built image ---
rb_inputs="$kver $(sha256sum "$here/image-rootboot-init.sh" /bin/busybox | sha256sum | cut -c1-16)"
if [ ! -f "$guest/rootboot.img" ] || [ "$(cat "$guest/rootboot.stamp" 2>/dev/null)" != "$rb_inputs" ]; then
  echo "phase: root initramfs ($kver)" >&2
  rb=$(mktemp -d "$guest/.rootboot.XXXXXX")
  mkdir -p "$rb"/{bin,sbin,proc,sys,dev,newroot,lib/modules}
  cp /bin/busybox "$rb/bin/busybox"
  for app in $("$rb/bin/busybox" --list); do [ -e "$rb/bin/$app" ] || ln -s busybox "$rb/bin/$app"; done
  : > "$rb/lib/modules/load-order"
  for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover \
           virtio_net virtio_blk e1000 crc16 crc32c_generic libcrc32c mbcache jbd2 ext4; do
    f=$(find "$kroot/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$f" ] || { echo "build-image: module $m not found in the kernel $kver" >&2; rm -rf "$rb"; exit 1; }
    case $f in
      *.xz) xz -dc "$f" > "$rb/lib/modules/$m.ko" ;;
      *.zst) zstd -qdc "$f" > "$rb/lib/modules/$m.ko" ;;
      *) cp "$f" "$rb/lib/modules/$m.ko" ;;
    esac
    echo "$m" >> "$rb/lib/modules/load-order"
  done
  cp "$here/image-rootboot-init.sh" "$rb/init"; chmod +x "$rb/init"
  (cd "$rb" && find . | sort | cpio -o -H newc --quiet --reproducible | gzip -n -1) > "$guest/rootboot.img.tmp"
  rm -rf "$rb"
  mv "$guest/rootboot.img.tmp" "$guest/rootboot.img"
  echo "$rb_inputs" > "$guest/rootboot.stamp"
fi

# --- the root filesystem ---
mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
echo "phase: resolving, downloading and installing $packages (Debian bookworm)" >&2
# minbase: Essential packages and apt only; the image's own packages come with their dependencies.
# Documentation, manuals and translations are left out: zones boot the disk, nobody reads them there.
# Downloaded packages are kept in a machine-wide cache (only Debian's .deb files), so a rebuild, or a
# build from a clean checkout, downloads nothing twice.
debs=${LIVEZONE_DEB_CACHE:-/var/cache/livezone/debs}
mkdir -p "$debs"
mmdebstrap --mode=root --variant=minbase --include="$packages" \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
  --setup-hook="sync-in $debs /var/cache/apt/archives/" \
  --customize-hook="sync-out /var/cache/apt/archives $debs" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
  bookworm "$root" 2>&1 | sed -u 's/^/  /' >&2

echo "phase: checking the service's command" >&2
cmd=$(printf '%s' "$exec_line" | awk '{print $1}')
if ! chroot "$root" /bin/sh -c "command -v '$cmd'" >/dev/null 2>&1; then
  echo "build-image: the command '$cmd' is not in the image (is its package in --packages?)" >&2
  exit 3
fi

mkdir -p "$root/lz"
cp "$here/image-init.sh" "$root/lz/init"; chmod +x "$root/lz/init"
printf '%s\n' "$exec_line" > "$root/lz/service"
printf '%s\n' "$probe" > "$root/lz/probe"
case $probe in
  udp/*:*) hex=${probe#*:}; printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" > "$root/lz/probe-request" ;;
esac
echo "$digest" > "$root/lz/digest"
# The guest's own name resolution and a tidy hostname; the zone's address comes from the initramfs.
# No name server: a service that looks up a name not in /etc/hosts fails at once, and no query
# leaves the zone (traffic stays on networks the project made).
echo zone > "$root/etc/hostname"
printf '127.0.0.1 localhost zone\n::1 localhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
rm -f "$root/etc/resolv.conf" && : > "$root/etc/resolv.conf"
find "$root" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} + 2>/dev/null || true

echo "phase: packing the root filesystem" >&2
used_mib=$(du -sm "$root" | cut -f1)
size_mib=$(( used_mib + used_mib / 3 + 64 ))
uuid=$(printf '%s' "$digest" | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L lzroot -U "$uuid" \
  -E "hash_seed=$uuid,root_owner=0:0" -d "$root" "$work/root.raw" "${size_mib}M"
qemu-img convert -f raw -O qcow2 "$work/root.raw" "$work/root.qcow2"
mv "$work/root.qcow2" "$out/root.qcow2"
echo "phase: done: root filesystem $used_mib MiB used, disk ${size_mib} MiB, qcow2 $(du -m "$out/root.qcow2" | cut -f1) MiB" >&2
