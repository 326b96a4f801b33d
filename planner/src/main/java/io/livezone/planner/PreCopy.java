package io.livezone.planner;

/**
 * The byte-level progress of one pre-copy live migration, phase by phase, shared by {@link
 * MigrationTimeModel} (constant bandwidth) and {@link PlanSimulator} (bandwidth changing as other
 * migrations come and go), so that both agree exactly on a migration that runs alone.
 *
 * <p>The model is QEMU's: copy the disk if it moves, then all memory (round 0); every later round
 * resends what the guest dirtied during the previous one. At the end of a round, QEMU switches over
 * when what is left fits in the downtime limit at the bandwidth it just measured; then the guest
 * stops and the rest is sent (the downtime). With a constant bandwidth B and dirty rate D, round i
 * sends M·(D/B)^i bytes — the geometric series of the multi-zone migration paper's model.
 *
 * <p>Auto-converge as QEMU does it (migration/ram.c, migration_trigger_throttle): when a round
 * dirtied more than half of what it sent, twice (not necessarily in a row), throttle the guest's
 * CPU: 20% first, then 10 points more each time, at most 99%, which scales the dirty rate down.
 * Players feel a throttled zone, so schedules should not make migrations that slow.
 */
final class PreCopy {
    static final int THROTTLE_INITIAL = 20;
    static final int THROTTLE_INCREMENT = 10;
    static final int THROTTLE_MAX = 99;

    /** Beyond this many rounds a migration that does not converge is forced to switch over. */
    static final int MAX_ROUNDS = 1000;

    enum Phase {
        DISK,
        MEMORY,
        STOP_COPY,
        DONE
    }

    private final double memory;
    private final double dirtyRate;
    private final double downtimeLimit;
    private final boolean autoConverge;
    private Phase phase;
    private double phaseBytes;
    private double phaseStart;
    private int rounds;
    private int throttle;
    private int highDirtyRounds;
    private double bytesSent;
    private double downtime;
    private boolean converged = true;

    PreCopy(
            long memory,
            long disk,
            double dirtyRate,
            double downtimeLimit,
            boolean autoConverge,
            double now) {
        this.memory = memory;
        this.dirtyRate = dirtyRate;
        this.downtimeLimit = downtimeLimit;
        this.autoConverge = autoConverge;
        phaseStart = now;
        if (disk > 0) {
            phase = Phase.DISK;
            phaseBytes = disk;
        } else {
            phase = Phase.MEMORY;
            phaseBytes = memory;
        }
    }

    Phase phase() {
        return phase;
    }

    /** Bytes the current phase sends in all. */
    double phaseBytes() {
        return phaseBytes;
    }

    /** The current phase has sent all its bytes at time {@code now}; moves to the next. */
    void phaseSent(double now) {
        double duration = now - phaseStart;
        bytesSent += phaseBytes;
        switch (phase) {
            case DISK -> begin(Phase.MEMORY, memory, now);
            case MEMORY -> endRound(duration, now);
            case STOP_COPY -> {
                downtime = duration;
                phase = Phase.DONE;
            }
            case DONE -> throw new IllegalStateException("migration already done");
        }
    }

    private void endRound(double duration, double now) {
        rounds++;
        double bandwidth = duration > 0 ? phaseBytes / duration : Double.POSITIVE_INFINITY;
        double effectiveDirtyRate = dirtyRate * (100 - throttle) / 100.0;
        double dirtied = Math.min(memory, effectiveDirtyRate * duration);
        if (dirtied <= bandwidth * downtimeLimit) {
            begin(Phase.STOP_COPY, dirtied, now);
            return;
        }
        if (autoConverge && dirtied > phaseBytes / 2 && ++highDirtyRounds >= 2) {
            highDirtyRounds = 0;
            throttle =
                    throttle == 0
                            ? THROTTLE_INITIAL
                            : Math.min(THROTTLE_MAX, throttle + THROTTLE_INCREMENT);
        }
        if (rounds >= MAX_ROUNDS) {
            // QEMU would go on; LiveZone's progress timeout would abort. Switch over so the
            // simulation ends, and say so.
            converged = false;
            begin(Phase.STOP_COPY, dirtied, now);
            return;
        }
        begin(Phase.MEMORY, dirtied, now);
    }

    private void begin(Phase next, double bytes, double now) {
        phase = next;
        phaseBytes = bytes;
        phaseStart = now;
    }

    int rounds() {
        return rounds;
    }

    int throttlePercent() {
        return throttle;
    }

    double bytesSent() {
        return bytesSent;
    }

    double downtime() {
        return downtime;
    }

    boolean converged() {
        return converged;
    }
}
