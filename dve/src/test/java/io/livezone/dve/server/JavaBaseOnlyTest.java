package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The guest runtime holds only java.base: statically check, with jdeps, that the server and the
 * wire format reference nothing else (no Jackson, no SLF4J, not even java.logging).
 */
class JavaBaseOnlyTest {

    @Test
    void serverAndProtocolPackagesDependOnJavaBaseOnly(@TempDir Path dir) throws Exception {
        Path classes =
                Path.of(
                        ZoneServer.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        for (String pkg : List.of("io/livezone/dve/server", "io/livezone/dve/protocol")) {
            copyTree(classes.resolve(pkg), dir.resolve(pkg));
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int rc =
                jdeps.run(
                        new PrintWriter(out),
                        new PrintWriter(out),
                        "-verbose:class",
                        dir.toString());
        assertThat(rc).as(out.toString()).isZero();

        List<String> edges =
                out.toString()
                        .lines()
                        .filter(l -> l.contains(" -> ") && l.startsWith(" "))
                        .toList();
        assertThat(edges).isNotEmpty();
        List<String> foreign =
                edges.stream()
                        .filter(
                                l -> {
                                    String[] f = l.trim().split("\\s+");
                                    String target = f[2];
                                    String location = f.length > 3 ? f[3] : "";
                                    boolean own =
                                            target.startsWith("io.livezone.dve.server.")
                                                    || target.startsWith(
                                                            "io.livezone.dve.protocol.");
                                    return !own && !location.equals("java.base");
                                })
                        .toList();
        assertThat(foreign).as("dependencies outside java.base").isEmpty();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
