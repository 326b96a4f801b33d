/**
 * Multi-zone migration planning: in which order, and how many at once, to live-migrate the zones of
 * a plan so that all of them are done soonest.
 *
 * <h2>Model</h2>
 *
 * A {@link io.livezone.planner.PlanInput} holds {@link io.livezone.planner.Host}s (site,
 * full-duplex NIC, memory for zones), {@link io.livezone.planner.SiteLink}s between sites (full
 * duplex, RTT), {@link io.livezone.planner.Move}s (zone, source, destination, memory, disk, dirty
 * rate), the memory in use on each host, and operator {@link io.livezone.planner.Caps}. It is
 * validated whole: unknown hosts, a zone moving twice, a zone that can never fit its destination or
 * a host over capacity at the end are rejected with a message saying what to change.
 *
 * <h2>Policies</h2>
 *
 * One strategy interface, {@link io.livezone.planner.MigrationSchedulePolicy}, as Trino's
 * ExecutionPolicy: {@code createSchedule(input)} analyses the plan once and returns a {@link
 * io.livezone.planner.MigrationSchedule}, which the executor asks {@code movesToStart(state)} after
 * every change to the {@link io.livezone.planner.ExecutionState}. Three policies, by name:
 *
 * <pre>{@code
 * MigrationSchedule schedule = MigrationSchedulePolicy.byName("auto").createSchedule(input);
 * ExecutionState state = ExecutionState.of(input);
 * // at the start and on every migration event (completed, failed):
 * for (Move move : schedule.movesToStart(state)) {
 *     state.started(move.zone());
 *     driver.migrate(move);           // later: state.finished(zone) or state.failed(zone)
 * }
 * // nothing running, moves pending, nothing to start: state.stallReason() says why
 * }</pre>
 *
 * <ul>
 *   <li>{@code parallel} — everything at once;
 *   <li>{@code sequential} — one migration per server at a time (the paper's baseline);
 *   <li>{@code auto} — contention-aware: NIC and link directions are resources with bandwidth
 *       budgets; moves that would share a bottleneck direction run one after the other (sharing
 *       stretches both and makes pre-copy resend more dirty pages), disjoint ones run together
 *       (swaps and cycles use each direction once), and the {@link
 *       io.livezone.planner.MigrationTimeModel} decides how much overlap pays on each resource.
 * </ul>
 *
 * All three are the same list-scheduling engine with a different priority order and a different
 * notion of what may overlap, so memory and caps are enforced identically. Memory: a destination
 * reserves a zone's memory from the start of its migration, a source frees it at the end; when some
 * destination can only take its zones after others have left it, an admission order is computed up
 * front and followed, and a cycle of full hosts that no order can resolve is reported as a {@link
 * io.livezone.planner.PlanDeadlockException} naming the room it would take.
 *
 * <h2>Prediction</h2>
 *
 * {@link io.livezone.planner.PlanSimulator} runs a schedule against a deterministic fluid model:
 * max-min fair sharing of every NIC and link direction, pre-copy rounds with dirty pages and QEMU's
 * auto-converge. {@link io.livezone.planner.LowerBound} says how far from optimal a makespan can
 * be; {@link io.livezone.planner.PaperConfigurations} are the paper's testbed plans, and {@link
 * io.livezone.planner.PlannerBenchmark} a 10,000-move fleet to keep planning fast.
 */
package io.livezone.planner;
