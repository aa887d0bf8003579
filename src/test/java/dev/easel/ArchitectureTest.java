package dev.easel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dependencies point inward (adapter → application → domain); {@code sd} is a leaf library of
 * java.* and ai.djl.* only; only the Discord adapter imports JDA. Checked over the sources' imports
 * (and fully qualified uses) so a violation names the file and the line.
 */
class ArchitectureTest {
    static final Path SRC = Path.of("src/main/java");
    static final Pattern REF = Pattern.compile("\\b(dev\\.easel\\.[a-z.]+|net\\.dv8tion|ai\\.djl|java\\.sql|javax?\\.[a-z]+|org\\.[a-z]+|com\\.[a-z]+)\\.[A-Za-z]");

    record Use(String file, int line, String pkg, String ref) {
        @Override
        public String toString() {
            return file + ":" + line + " uses " + ref;
        }
    }

    static List<Use> uses() throws IOException {
        List<Use> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SRC.relativize(f.getParent()).toString().replace('/', '.');
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String l = lines.get(i).trim();
                    if (l.startsWith("*") || l.startsWith("//") || l.startsWith("/*") || l.startsWith("package ")) {
                        continue;
                    }
                    Matcher m = REF.matcher(l);
                    while (m.find()) {
                        out.add(new Use(SRC.relativize(f).toString(), i + 1, pkg, m.group(1)));
                    }
                }
            }
        }
        return out;
    }

    static List<Use> violations(String pkgPrefix, java.util.function.Predicate<String> allowed) throws IOException {
        return uses().stream().filter(u -> u.pkg().startsWith(pkgPrefix)).filter(u -> !allowed.test(u.ref())).toList();
    }

    @Test
    void domainIsPlainJava() throws IOException {
        assertEquals(List.of(), violations("dev.easel.domain", r -> r.startsWith("java") || r.startsWith("dev.easel.domain")));
    }

    @Test
    void applicationDependsOnlyOnDomain() throws IOException {
        assertEquals(List.of(), violations("dev.easel.application", r -> r.startsWith("java")
                || r.startsWith("dev.easel.domain") || r.startsWith("dev.easel.application") || r.startsWith("org.slf4j")));
    }

    @Test
    void sdIsALeafOfJavaAndDjl() throws IOException {
        assertEquals(List.of(), violations("dev.easel.sd", r -> (r.startsWith("java") && !r.startsWith("java.sql"))
                || r.startsWith("ai.djl") || r.startsWith("dev.easel.sd") || r.startsWith("org.slf4j")));
    }

    @Test
    void onlyTheDiscordAdapterImportsJda() throws IOException {
        assertEquals(List.of(), uses().stream()
                .filter(u -> u.ref().startsWith("net.dv8tion") && !u.pkg().startsWith("dev.easel.adapter.discord")).toList());
    }

    @Test
    void theEngineIsReachedOnlyThroughAdaptersAndTheCompositionRoot() throws IOException {
        // inference drives it; storage and web use its image codecs; models manages weight files
        assertEquals(List.of(), uses().stream()
                .filter(u -> u.ref().startsWith("dev.easel.sd") && !u.pkg().startsWith("dev.easel.sd"))
                .filter(u -> !(u.pkg().equals("dev.easel") || u.pkg().startsWith("dev.easel.adapter")))
                .toList());
    }
}
