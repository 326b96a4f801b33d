#!/bin/sh
# PID 1 of the root initramfs that boots a zone image's root filesystem: loads the virtio and ext4
# modules, brings up the zone's network from the kernel command line (lz.ip=ADDR/PREFIX [lz.gw=ADDR];
# the configuration survives switch_root, so an image needs no network tools), mounts the root disk
# (lz.root=/dev/vda) and hands over to the image's /lz/init.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko 2>/dev/null; done

ip=; gw=; root=/dev/vda; zone=zone
for arg in $(cat /proc/cmdline); do
  case $arg in
    lz.zone=*) zone=${arg#lz.zone=} ;;
    lz.ip=*) ip=${arg#lz.ip=} ;;
    lz.gw=*) gw=${arg#lz.gw=} ;;
    lz.root=*) root=${arg#lz.root=} ;;
  esac
done
echo 4194304 > /proc/sys/net/core/rmem_max
ip link set lo up
if [ -n "$ip" ]; then
  ip addr add "$ip" dev eth0
  ip link set eth0 up
  [ -n "$gw" ] && ip route add default via "$gw"
  (sleep 1; arping -q -U -c 2 -I eth0 "${ip%/*}") &
fi
echo "LIVEZONE-GUEST-UP zone=$zone ip=$ip"

mkdir -p /newroot
i=0
until mount -t ext4 "$root" /newroot 2>/dev/null; do
  i=$((i + 1))
  if [ $i -ge 50 ]; then
    echo "LIVEZONE-BOOT-FAILED cannot mount the image's root filesystem $root"
    exec sh
  fi
  sleep 0.1
done
if [ ! -x /newroot/lz/init ]; then
  echo "LIVEZONE-BOOT-FAILED $root has no /lz/init (not a LiveZone-built image)"
  exec sh
fi
umount /proc /sys 2>/dev/null
mount --move /dev /newroot/dev 2>/dev/null
exec switch_root /newroot /lz/init
