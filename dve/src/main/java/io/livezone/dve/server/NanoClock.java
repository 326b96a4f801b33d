package io.livezone.dve.server;

/** Monotonic clock seam so the tick schedule can be tested without sleeping. */
@FunctionalInterface
interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
