#!/bin/sh
# Zone disk writer: appends sequence-numbered, self-checking records to the zone's disk, so that
# hosts can verify the disk after every storage move (io.livezone.storage.GuestDiskContent reads
# them; keep the two in step). The guest's init starts it with lz.diskwriter=1.
#
# Records form a ring of 4 KiB slots from 1 MiB on (at most 2048 slots): record s goes to slot
# (s-1) mod slots as one 4 KiB write followed by a flush, and is 64 copies of the 64-byte line
# "LZR <zone> <s> <crc32 of 'LZR <zone> <s>'>" padded with dots. Every tenth record is announced
# ("LIVEZONE-DISK seq=<s>") once it is on the disk.
#
# Usage: guest-disk-writer.sh ZONE [DEVICE [RECORDS]]   DEVICE: /dev/vda; RECORDS: 0 = forever
# LZ_DISK_PAUSE: seconds between records (default 0.2). Busybox only.
zone=${1:?zone}; dev=${2:-/dev/vda}; limit=${3:-0}; pause=${LZ_DISK_PAUSE:-0.2}
n=0
while [ ! -e "$dev" ]; do
  n=$((n + 1))
  [ $n -gt 100 ] && { echo "LIVEZONE-DISK-MISSING $dev"; exit 1; }
  sleep 0.1
done
if [ -b "$dev" ]; then
  bytes=$(($(cat "/sys/block/${dev##*/}/size") * 512))
else
  bytes=$(stat -c %s "$dev")
fi
slots=$((bytes / 4096 - 256))
[ $slots -gt 2048 ] && slots=2048
[ $slots -ge 1 ] || { echo "LIVEZONE-DISK-TOO-SMALL $dev"; exit 1; }
dots=...............................................................
echo "LIVEZONE-DISK-WRITER zone=$zone slots=$slots"
seq=1
while [ "$limit" = 0 ] || [ $seq -le "$limit" ]; do
  head="LZR $zone $seq"
  text="$head $(printf '%s' "$head" | crc32)"
  line="$text${dots:0:$((63 - ${#text}))}"
  if yes "$line" | head -n 64 | dd of="$dev" bs=4096 count=1 seek=$((256 + (seq - 1) % slots)) \
      iflag=fullblock conv=fsync,notrunc 2>/dev/null; then
    [ $((seq % 10)) -eq 0 ] && echo "LIVEZONE-DISK seq=$seq"
    seq=$((seq + 1))
    [ "$pause" = 0 ] || sleep "$pause"
  else
    echo "LIVEZONE-DISK-ERROR seq=$seq"   # e.g. a remote disk out of reach: retry the record
    sleep 1
  fi
done
