package io.livezone.storage;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Queries and removals on a running QEMU's block node graph. */
final class BlockGraph {
    private static final Logger LOG = LoggerFactory.getLogger(BlockGraph.class);

    private BlockGraph() {}

    /** Guest-visible size of a named node, if it exists. */
    static OptionalLong virtualSize(QmpClient qmp, String nodeName) {
        return node(qmp, nodeName)
                .map(n -> OptionalLong.of(n.path("image").path("virtual-size").asLong()))
                .orElse(OptionalLong.empty());
    }

    /**
     * The size of a node a job is about to read and write.
     *
     * @throws BlockJobException the node does not exist, or is inactive: its QEMU is an incoming
     *     migration target that has not started the VM yet, or has migrated the VM away
     */
    static long requireActiveNode(QmpClient qmp, String nodeName, String jobId) {
        Optional<JsonNode> node = node(qmp, nodeName);
        if (node.isEmpty()) {
            throw new BlockJobException(
                    jobId,
                    "zone disk node '"
                            + nodeName
                            + "' does not exist in QEMU at "
                            + qmp.socket()
                            + " (named nodes: "
                            + namedNodes(qmp)
                            + "); was the zone started with ZoneDisk.qemuArguments()?");
        }
        // "active" exists since QEMU 10.0; older versions report no field and only active nodes
        // can be used anyway.
        if (!node.get().path("active").asBoolean(true)) {
            throw new BlockJobException(
                    jobId,
                    "zone disk node '"
                            + nodeName
                            + "' in QEMU at "
                            + qmp.socket()
                            + " is inactive: this QEMU has migrated the zone away, or received it"
                            + " paused and not yet resumed ('cont' activates the disks)");
        }
        return node.get().path("image").path("virtual-size").asLong();
    }

    private static Optional<JsonNode> node(QmpClient qmp, String nodeName) {
        for (JsonNode node : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            if (nodeName.equals(node.path("node-name").asText())) {
                return Optional.of(node);
            }
        }
        return Optional.empty();
    }

    /** Names given by the user (QEMU's automatic {@code #blockNNN} names left out). */
    static List<String> namedNodes(QmpClient qmp) {
        List<String> names = new ArrayList<>();
        for (JsonNode node : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            String name = node.path("node-name").asText();
            if (!name.startsWith("#")) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * {@code blockdev-del}, retried briefly while a job that just ended still holds the node (QEMU
     * drops a finished job's references right after its end event, not before). Returns false,
     * after logging why, if the node could not be removed.
     */
    static boolean remove(QmpClient qmp, String nodeName) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try {
                qmp.execute("blockdev-del", Map.of("node-name", nodeName));
                return true;
            } catch (QmpCommandException e) {
                if (!isInUse(e) || System.nanoTime() > deadline) {
                    LOG.warn(
                            "could not remove block node '{}' from QEMU at {}: {}",
                            nodeName,
                            qmp.socket(),
                            e.description());
                    return false;
                }
                if (!pause()) {
                    return false;
                }
            } catch (QmpException e) {
                LOG.warn("could not remove block node '{}': {}", nodeName, e.getMessage());
                return false;
            }
        }
    }

    private static boolean isInUse(QmpCommandException e) {
        String d = e.description();
        return d.contains("in use") || d.contains("busy");
    }

    private static boolean pause() {
        try {
            Thread.sleep(20);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
