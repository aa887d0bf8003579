package dev.easel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.config.EaselConfig;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * docker/compose.yaml and docker/Dockerfile checked without a Docker engine: every path they name exists, the
 * services run real easel commands with options those commands accept, their environment is a valid
 * configuration, the worker reserves a GPU, and the image pins the libtorch build the pom uses.
 */
class DockerFilesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path DOCKER = ROOT.resolve("docker");

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile());
    }

    /** The sub-commands Main's usage text lists. */
    private static Set<String> easelCommands() {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z]+) {2,}").matcher(Main.USAGE);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Compose's interpolation: ${X:-default} → default, ${X:?message} → a stand-in value, ${X} → "". */
    private static String interpolate(String v) {
        return v.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1").replaceAll("\\$\\{[A-Z_]+:\\?[^}]*}", "set-by-operator")
                .replaceAll("\\$\\{[A-Z_]+}", "");
    }

    private static String pomProperty(String name) throws Exception {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1);
    }

    @Test
    void composeServicesRunRealEaselCommandsWithAValidConfiguration() throws Exception {
        JsonNode services = compose().get("services");
        assertEquals(Set.of("db", "bot", "worker"), iterable(services.fieldNames()));
        Set<String> commands = easelCommands();
        assertTrue(commands.containsAll(List.of("start", "models", "config")), commands.toString());
        Set<String> declaredVolumes = iterable(compose().get("volumes").fieldNames());
        Set<String> knownVariables = new LinkedHashSet<>(EaselConfig.environmentOverrides().values());
        knownVariables.add("EASEL_IMAGES_DIR");

        for (String name : List.of("bot", "worker")) {
            JsonNode s = services.get(name);
            // the image is built from this repository with this Dockerfile
            Path context = DOCKER.resolve(s.at("/build/context").asText()).normalize();
            assertEquals(ROOT, context, name + ": build context is the repository root");
            assertTrue(Files.isRegularFile(context.resolve(s.at("/build/dockerfile").asText())), name + ": dockerfile");
            // its command is an easel sub-command with options it accepts
            List<String> command = new ArrayList<>();
            s.get("command").forEach(c -> command.add(c.asText()));
            assertTrue(commands.contains(command.get(0)), name + ": '" + command.get(0) + "' is not an easel command");
            assertEquals("start", command.get(0));
            StartCommand.Options o = StartCommand.parse(command.subList(1, command.size()));
            // its environment names real settings with valid values
            Map<String, String> env = new HashMap<>();
            s.get("environment").properties().forEach(e -> env.put(e.getKey(), interpolate(e.getValue().asText())));
            for (String var : env.keySet()) {
                if (var.startsWith("EASEL_")) {
                    assertTrue(knownVariables.contains(var), name + ": " + var + " is not a configuration variable");
                }
            }
            EaselConfig config = EaselConfig.load(EaselConfig.DEFAULT_FILE, env);
            assertTrue(config.jobs().database().url().startsWith("jdbc:postgresql://db:5432/"),
                    name + ": shares the PostgreSQL queue");
            assertEquals("0.0.0.0", config.http().bind(), name + ": /healthz reachable from outside the container");
            // models/ and data/ are volumes at the paths the defaults resolve to under WORKDIR /app
            Map<String, String> mounts = new HashMap<>();
            s.get("volumes").forEach(v -> mounts.put(v.asText().split(":")[1], v.asText().split(":")[0]));
            assertTrue(mounts.containsKey("/app/models") && mounts.containsKey("/app/data"), name + ": " + mounts);
            Path app = Path.of("/app");
            assertTrue(app.resolve(config.model().dir()).startsWith("/app/models"));
            assertTrue(app.resolve(config.jobs().imagesDir()).startsWith("/app/data"));
            mounts.values().forEach(v -> assertTrue(declaredVolumes.contains(v), name + ": volume " + v + " is declared"));
            // docker waits longer than the worker's own shutdown timeout before SIGKILL
            Duration grace = Duration.ofSeconds(Long.parseLong(s.get("stop_grace_period").asText().replace("s", "")));
            assertTrue(grace.compareTo(config.shutdownTimeout()) > 0, name + ": stop_grace_period " + grace
                    + " must exceed worker.shutdown-timeout " + config.shutdownTimeout());
            if (name.equals("bot")) {
                assertFalse(o.worker(), "the bot service runs no jobs");
                assertTrue(env.containsKey("DISCORD_TOKEN"));
                assertTrue(s.get("environment").get("DISCORD_TOKEN").asText().startsWith("${DISCORD_TOKEN:?"),
                        "the token comes from the operator's environment, never from the file");
            } else {
                assertFalse(o.bot(), "the worker service runs no bot");
                assertTrue(o.worker());
                assertEquals("cuda", config.model().device());
                JsonNode gpu = s.at("/deploy/resources/reservations/devices/0");
                assertEquals("nvidia", gpu.get("driver").asText());
                assertEquals(1, gpu.get("count").asInt());
                assertEquals("gpu", gpu.get("capabilities").get(0).asText());
            }
        }
        JsonNode db = services.get("db");
        assertTrue(db.get("image").asText().startsWith("postgres:"));
        assertEquals("service_healthy", services.at("/worker/depends_on/db/condition").asText());
    }

    private static Set<String> iterable(java.util.Iterator<String> it) {
        Set<String> s = new LinkedHashSet<>();
        it.forEachRemaining(s::add);
        return s;
    }

    @Test
    void theDockerfileCopiesWhatExistsAndPinsThePomsLibtorch() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        // COPY from the build context: every source exists in the repository
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(?:--chown=\\S+ )?(\\S+) (\\S+)$").matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            copies++;
            assertTrue(Files.exists(ROOT.resolve(copy.group(1))), "COPY source " + copy.group(1) + " exists");
        }
        assertTrue(copies >= 5, "pom, src, config, models/README.md and the launcher are copied");
        // COPY --from=build: the Maven build's outputs as the pom names them
        assertTrue(dockerfile.contains("COPY --from=build /src/target/easel.jar /app/easel.jar"));
        assertTrue(dockerfile.contains("COPY --from=build /src/target/lib /app/lib"));
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        assertTrue(pom.contains("<finalName>easel</finalName>"), "the jar is target/easel.jar");
        assertTrue(pom.contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>"), "libraries in target/lib");
        // libtorch: the version and DJL the pom uses, the cu128 flavour, selected by environment
        assertTrue(dockerfile.contains("ARG LIBTORCH_VERSION=" + pomProperty("libtorch.version") + "\n"));
        assertTrue(dockerfile.contains("ARG DJL_VERSION=" + pomProperty("djl.version") + "\n"));
        assertTrue(dockerfile.contains("ARG LIBTORCH_FLAVOR=cu128\n"));
        for (String env : List.of("PYTORCH_LIBRARY_PATH=/opt/libtorch/lib", "PYTORCH_VERSION=${LIBTORCH_VERSION}",
                "PYTORCH_FLAVOR=${LIBTORCH_FLAVOR}", "DJL_CACHE_DIR=/opt/djl", "DJL_OFFLINE=true")) {
            assertTrue(dockerfile.contains(env), env);
        }
        assertTrue(dockerfile.contains("https://publish.djl.ai/pytorch/${LIBTORCH_VERSION}"), "fetched at build time");
        assertTrue(dockerfile.contains("ARG CUDA_IMAGE=nvidia/cuda:12.8."), "a CUDA 12.8 runtime base image");
        // the pytorch-jni jar the build ships really holds the cu128 JNI library the Dockerfile extracts
        String jni = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith("pytorch-jni-" + pomProperty("libtorch.version") + "-" + pomProperty("djl.version") + ".jar")) {
                jni = entry;
            }
        }
        assertNotNull(jni, "pytorch-jni on the classpath");
        try (ZipFile z = new ZipFile(jni)) {
            assertNotNull(z.getEntry("jnilib/linux-x86_64/cu128/libdjl_torch.so"));
        }
        // the entry point is the image's launcher, which runs Main
        assertTrue(dockerfile.contains("COPY docker/easel /app/bin/easel"));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/app/bin/easel\"]"));
        assertTrue(dockerfile.contains("CMD [\"start\"]"));
        Path launcher = DOCKER.resolve("easel");
        assertTrue(Files.isExecutable(launcher));
        assertTrue(Files.readString(launcher).contains("-cp \"/app/easel.jar:/app/lib/*\" dev.easel.Main \"$@\""));
        // the volumes are the folders the defaults use, owned by the unprivileged user
        assertTrue(dockerfile.contains("VOLUME [\"/app/models\", \"/app/data\"]"));
        assertTrue(dockerfile.contains("chown easel:easel /app/models /app/data"));
        assertTrue(dockerfile.contains("USER easel"));
    }

    @Test
    void theBuildContextLeavesOutBuildOutputsAndWeights() throws Exception {
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertTrue(ignored.containsAll(List.of("target/", "data/", "models/*", "!models/README.md")), ignored.toString());
        for (String kept : List.of("pom.xml", "src", "config", "docker")) {
            assertFalse(ignored.contains(kept) || ignored.contains(kept + "/"), kept + " must reach the build");
        }
    }
}
