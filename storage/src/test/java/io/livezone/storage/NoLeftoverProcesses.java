package io.livezone.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test that leaves a QEMU process (qemu-system, qemu-storage-daemon, qemu-nbd, qemu-img)
 * running, after killing it so later tests start clean.
 */
final class NoLeftoverProcesses implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<ProcessHandle> left = qemuChildren();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = qemuChildren();
        }
        List<String> described =
                left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(described).as("QEMU processes left running by the test").isEmpty();
    }

    private static List<ProcessHandle> qemuChildren() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("qemu")).orElse(false))
                .toList();
    }
}
