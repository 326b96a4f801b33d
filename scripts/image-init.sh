#!/bin/bash
# PID 1 of a LiveZone-built image, entered from the root initramfs (the network is already up).
# Runs the service (/lz/service: one command line) and starts it again whenever it exits, its output
# on the serial console; probes it (/lz/probe: tcp/PORT, udp/PORT:HEX or none) on the loopback and
# prints LIVEZONE-ZONE-READY once it answers.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs shm /dev/shm
mount -t tmpfs run /run && mkdir -p /run/lock
mount -t tmpfs tmp /tmp
mount -o remount,rw / 2>/dev/null

probe() {
  local spec=$1 port hex
  case $spec in
    none) return 0 ;;
    tcp/*) port=${spec#tcp/}
      timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null ;;
    udp/*) port=${spec#udp/}; port=${port%%:*}
      # The request's bytes are in /lz/probe-request (written at build time); any answer will do.
      timeout 3 bash -c "exec 3<>/dev/udp/127.0.0.1/$port; cat /lz/probe-request >&3
        n=\$(timeout 1 dd bs=65536 count=1 <&3 2>/dev/null | wc -c); [ \"\$n\" -gt 0 ]" \
        2>/dev/null ;;
    *) return 1 ;;
  esac
}

service=$(cat /lz/service)
(
  while true; do
    /bin/sh -c "$service"
    echo "LIVEZONE-SERVICE-EXITED rc=$?"
    sleep 1
  done
) </dev/null &
(
  spec=$(cat /lz/probe)
  until probe "$spec"; do sleep 0.2; done
  echo "LIVEZONE-ZONE-READY"
) &
# PID 1 reaps every orphan and never exits.
while true; do wait; sleep 1; done
