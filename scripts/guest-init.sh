#!/bin/sh
# PID 1 of a zone guest. Reads its zone identity from the kernel command line:
#   lz.zone=NAME lz.ip=ADDR/PREFIX [lz.gw=ADDR] [lz.tick=HZ] [lz.tcp=PORT] [lz.udp=PORT] [lz.heap=MiB]
#   [lz.diskwriter=1] [lz.redis=PORT]
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko 2>/dev/null; done

zone=zone; ip=; gw=; tick=20; tcp=7000; udp=7001; heap=48; diskwriter=0; redis=
for arg in $(cat /proc/cmdline); do
  case $arg in
    lz.zone=*) zone=${arg#lz.zone=} ;;
    lz.ip=*) ip=${arg#lz.ip=} ;;
    lz.gw=*) gw=${arg#lz.gw=} ;;
    lz.tick=*) tick=${arg#lz.tick=} ;;
    lz.tcp=*) tcp=${arg#lz.tcp=} ;;
    lz.udp=*) udp=${arg#lz.udp=} ;;
    lz.heap=*) heap=${arg#lz.heap=} ;;
    lz.diskwriter=*) diskwriter=${arg#lz.diskwriter=} ;;
    lz.redis=*) redis=${arg#lz.redis=} ;;
  esac
done

# Let the zone server's 4 MiB UDP receive buffer take effect (the kernel caps it at 208 KiB by default):
# after a migration the guest can stall for a few hundred ms under TCG, and players' datagrams must wait
# in the socket, not be dropped.
echo 4194304 > /proc/sys/net/core/rmem_max
ip link set lo up
if [ -n "$ip" ]; then
  ip addr add "$ip" dev eth0
  ip link set eth0 up
  [ -n "$gw" ] && ip route add default via "$gw"
  # Tell the network who has this address now: a zone may get the address of a deleted one, and
  # hosts would otherwise send its traffic to the old MAC until their neighbour entries expire.
  (sleep 1; arping -q -U -c 2 -I eth0 "${ip%/*}") &
fi
echo "LIVEZONE-GUEST-UP zone=$zone ip=$ip"

# Disk writer (lz.diskwriter=1): self-checking records on the zone's disk, for hosts to verify it.
[ "$diskwriter" = 1 ] && /bin/lz-disk-writer "$zone" &

# Debian's Redis server, unmodified (lz.redis=PORT): an off-the-shelf server that players' tools reach
# through the gateway like the zone server. In memory only; no persistence.
if [ -n "$redis" ]; then
  (redis-server --port "$redis" --bind 0.0.0.0 --protected-mode no --save '' --appendonly no \
     --dir /tmp --daemonize no --loglevel warning
   echo "LIVEZONE-REDIS-EXITED rc=$?") &
fi

# The zone server is the main job of this guest: restart it if it ever exits.
while true; do
  /java/bin/java -Xmx${heap}m -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -cp /zone/livezone-dve.jar io.livezone.dve.server.ZoneServerMain \
    --zone "$zone" --tcp-port "$tcp" --udp-port "$udp" --tick-hz "$tick"
  echo "LIVEZONE-ZONE-EXITED zone=$zone rc=$?"
  sleep 1
done
