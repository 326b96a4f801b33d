/**
 * Zone disks and how they follow a zone when it live-migrates between servers.
 *
 * <p>A zone disk is a qcow2 overlay on a shared, read-only base image: the base holds the game
 * world's static data, the overlay only what the zone wrote. {@link io.livezone.storage.ZoneDisk}
 * gives the {@code -blockdev}/{@code -device} arguments for the zone's QEMU and fixes the block
 * node names every class here relies on ({@code lz-<id>}, {@code lz-<id>-file}, {@code
 * lz-<id>-dev}, ...). All disk traffic between hosts is NBD over unix sockets; the control plane
 * relays the sockets between hosts over TCP (and through the emulated WAN link), so this package
 * only ever sees local socket paths ({@link io.livezone.storage.NbdEndpoint}).
 *
 * <h2>Three storage modes</h2>
 *
 * <dl>
 *   <dt>(a) Move the whole disk with the zone
 *   <dd>The destination QEMU starts with {@code -incoming defer} and an empty qcow2 of the disk's
 *       virtual size, and exports it ({@link io.livezone.storage.EmbeddedNbdServer}). The source
 *       mirrors the disk into that export ({@link io.livezone.storage.DiskMirror}, {@link
 *       io.livezone.storage.MirrorOptions#full()}) while the zone runs; once the mirror is ready
 *       the memory migration starts, and at its pre-switchover pause the mirror is finished without
 *       pivot. QMP, source: {@code blockdev-add} nbd node {@code lz-<id>-mirror} → {@code
 *       blockdev-mirror} job {@code lz-<id>-push} sync {@code full} → {@code BLOCK_JOB_READY} →
 *       (memory migration, {@code pause-before-switchover}) → at {@code pre-switchover}: {@code
 *       block-job-cancel} {@code force=false} → {@code BLOCK_JOB_COMPLETED} → {@code blockdev-del}
 *       {@code lz-<id>-mirror} → {@code migrate-continue}. Destination: {@code nbd-server-start}
 *       (unix) → {@code block-export-add} (nbd, writable, node {@code lz-<id>}) before the mirror
 *       starts; {@code block-export-del} + {@code nbd-server-stop} once the mirror finished.
 *   <dt>(b) Leave the disk where it is
 *   <dd>The disk stays on its host Y, served by a {@link io.livezone.storage.StandaloneNbdServer}
 *       (qemu-storage-daemon); the zone's QEMU uses it as an nbd node ({@link
 *       io.livezone.storage.ZoneDisk#remote}) on every host it runs on. Migrating the zone moves
 *       memory only: source and destination are both connected to Y during the migration, and
 *       QEMU's block hand-over (the source inactivates its nodes before the destination activates
 *       its own) ensures one writer. Later the zone can make the disk local while it runs ({@link
 *       io.livezone.storage.DiskPull}): {@code blockdev-add} qcow2 {@code lz-<id>-local} → {@code
 *       blockdev-mirror} job {@code lz-<id>-pull} sync {@code full} → {@code BLOCK_JOB_READY} →
 *       {@code block-job-complete} → {@code BLOCK_JOB_COMPLETED} (device now on the local node) →
 *       {@code blockdev-del lz-<id>}.
 *   <dt>(c) Move only the overlay
 *   <dd>Like (a), but the destination site already holds the base in its {@link
 *       io.livezone.storage.BaseImageCache} (same SHA-256; sent at most once per site, through the
 *       control plane's transfer), and its empty disk is an overlay on that cached base. The mirror
 *       uses {@link io.livezone.storage.MirrorOptions#top()} ({@code sync=top}): only clusters
 *       allocated in the source overlay cross the link, unallocated ones read through to the
 *       destination's identical base.
 * </dl>
 *
 * <h2>When to finish a push mirror</h2>
 *
 * Finish it ({@link io.livezone.storage.DiskMirror#finishWithoutPivot}) in the migration's
 * pre-switchover pause (the qemu module's {@code SwitchoverHook}): the source's vCPUs are stopped,
 * so no write is lost, and the destination has not started. Finishing after the migration completed
 * also yields a consistent copy (QEMU documents {@code block-job-cancel} on a ready mirror as
 * leaving "a point-in-time copy tied to the time of the cancellation"), but only if the destination
 * stays paused until then: a destination that resumes on completion, as LiveZone's do, could have
 * its fresh guest writes overwritten by the mirror's last copies. Likewise the destination should
 * remove its export before it resumes; if it does so later, QEMU prints a harmless "Permission
 * conflict" and the device simply keeps sharing write access to its node.
 *
 * <h2>Failures</h2>
 *
 * Errors are {@link io.livezone.storage.StorageException}s: {@link
 * io.livezone.storage.QemuImgException} (with qemu-img's stderr), {@link
 * io.livezone.storage.NbdException} (socket, export or server problems), {@link
 * io.livezone.storage.BlockJobException} (a mirror that failed, was refused or timed out) and
 * {@link io.livezone.storage.ImageTransferException}. A failed mirror or pull is cancelled and the
 * nodes it added are removed; the zone's disk and device are never touched.
 *
 * <h2>Programs</h2>
 *
 * {@code qemu-img}, {@code qemu-storage-daemon} and {@code qemu-nbd} come with Debian's qemu-utils;
 * the VMs themselves with qemu-system-x86. The QMP commands used exist since QEMU 5.2; the {@code
 * active} flag checked before a job starts is reported since QEMU 10.0.
 */
package io.livezone.storage;
