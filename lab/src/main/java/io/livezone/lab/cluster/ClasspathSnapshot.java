package io.livezone.lab.cluster;

import io.livezone.core.EnvironmentException;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Copies the running program's jars (including those its manifests reference) into a cluster's
 * folder, so its long-lived coordinator and agents keep running the code they started with even
 * when the build replaces the jars underneath.
 */
public final class ClasspathSnapshot {
    private ClasspathSnapshot() {}

    /** Returns the class path of the copies (folders on the class path are used in place). */
    static String copy(Path into) {
        Set<Path> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            collect(Path.of(e).toAbsolutePath(), entries);
        }
        List<String> cp = new ArrayList<>();
        try {
            Files.createDirectories(into);
            int i = 0;
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    cp.add(p.toString());
                } else if (Files.isRegularFile(p)) {
                    // A numeric prefix keeps same-named jars of different folders apart.
                    Path target = into.resolve((i++) + "-" + p.getFileName());
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    cp.add(target.toString());
                }
            }
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot copy the program's jars to " + into + ": " + e.getMessage(), e);
        }
        return String.join(File.pathSeparator, cp);
    }

    private static void collect(Path entry, Set<Path> out) {
        if (!out.add(entry) || !entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) {
            return;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            var manifest = jar.getManifest();
            String refs =
                    manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (refs == null) {
                return;
            }
            for (String ref : refs.trim().split("\\s+")) {
                if (ref.isEmpty()) {
                    continue;
                }
                Path p =
                        ref.startsWith("file:")
                                ? Path.of(URI.create(ref))
                                : entry.getParent().resolve(ref).normalize();
                collect(p, out);
            }
        } catch (IOException | IllegalArgumentException e) {
            // not a readable jar: the JVM will report it if it matters
        }
    }
}
