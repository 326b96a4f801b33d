/**
 * The host agent: runs one host's zones (QEMU VMs) and serves the coordinator's calls ({@link
 * io.livezone.core.cluster.AgentGateway}) over HTTP.
 *
 * <p>QEMU only ever talks to unix sockets; the agent carries their bytes between hosts over TCP
 * ({@link io.livezone.agent.StreamTunnels}), through the emulated link when the two hosts are in
 * different sites: migration streams, disk mirrors, remote disks, base images.
 *
 * <p>Zone disks ({@link io.livezone.agent.HostDisks}): a zone's local disk is a qcow2 overlay on a
 * base image from the site's cache (or a standalone image). It moves with the zone: the destination
 * creates an overlay on its own cached copy of the base (or a blank disk when it has none) and
 * exports it from the arriving VM, which waits paused ({@link io.livezone.agent.ArrivingDisk}); the
 * source mirrors the disk into that export while the zone runs ({@link
 * io.livezone.agent.DepartingDisk}) and finishes the mirror in the memory migration's switchover
 * pause; when the migration completes the destination drops the export and starts the VM itself. A
 * remote disk is served by its storage host's agent ({@link io.livezone.agent.ServedDisks}) and
 * reached through a tunnel; a pull copies it onto the zone's host while the zone runs. Base images
 * travel between site caches once ({@link io.livezone.agent.BaseImageShipping}).
 *
 * <p>Storage jobs use a second QMP monitor of the zone's VM, so they can run while the driver's
 * monitor carries the migration.
 */
package io.livezone.agent;
