/**
 * The simulator's clock: {@link io.livezone.sim.engine.EventLoop} runs scheduled events in
 * simulated time, as fast as the CPU allows, in a deterministic order.
 */
package io.livezone.sim.engine;
