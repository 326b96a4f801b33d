package io.livezone.cli.cluster;

import io.livezone.core.http.JsonHttpClient;
import io.livezone.lab.cluster.LocalCluster;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Which local cluster a command talks to. */
public final class ClusterOptions {
    @Option(
            names = "--cluster",
            defaultValue = "local",
            description = "local cluster name (default: ${DEFAULT-VALUE})")
    public String name;

    @Option(
            names = "--cluster-root",
            defaultValue = "/run/livezone/clusters",
            description = "where local clusters keep their state (default: ${DEFAULT-VALUE})")
    public Path root;

    public LocalCluster open() {
        return LocalCluster.open(root, name);
    }

    public JsonHttpClient api() {
        return open().api();
    }
}
