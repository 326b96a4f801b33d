/**
 * Zone health on one host, judged by what QEMU does — the process alive, its monitor's run state —
 * never by what the control plane believes.
 *
 * <p>{@link io.livezone.agent.health.ZoneWatch} looks at every zone the agent runs about once a
 * second, skipping zones in a move (the migration owns their monitor: QEMU serves one monitor
 * client at a time). A zone is dead when its QEMU process is gone, when QEMU says the guest
 * panicked, hit an internal error or shut down, or when its monitor has not answered a bounded
 * number of looks in a row while the process runs (hung): one monitor that makes us wait is someone
 * else's connection, not a death. {@link io.livezone.agent.health.Liveness} is that judgement as a
 * pure function. A zone stopped, suspended, released or deleted on purpose is never reported: those
 * ends happen under the zone's lock in the QEMU driver and change the zone's record, and the watch
 * reads both under the same lock.
 *
 * <p>Deaths reach the coordinator in the heartbeat (the watch's latest view of every zone, repeated
 * every second): a lost or late heartbeat loses nothing, and a restarted coordinator learns the
 * same facts again.
 */
package io.livezone.agent.health;
