package dev.easel.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: initdb into a temporary directory, {@code postgres} on a free port of
 * 127.0.0.1, trust authentication, durability switched off for speed. One server per test JVM (started on first
 * use, stopped when the test plan ends or the JVM exits); {@link #createDatabase} gives each test class its own
 * database.
 *
 * <p>Binaries: {@code /usr/lib/postgresql/<version>/bin} (Debian package {@code postgresql}) or {@code $EASEL_PG_BIN}.
 * When they are missing the test is skipped, or fails when {@code CI=true}. initdb and postgres refuse to run as
 * root, so as root they run through {@code runuser -u postgres --} and the directory is handed to that user.
 */
public final class PostgresServer implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    public static final String USER = "easel";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;
    private final Process process;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser, Process process) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.process = process;
    }

    /** The server shared by this JVM's tests; skips (or fails on CI) when PostgreSQL is not installed. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            Path bin = findBinaries();
            if (bin == null) {
                String message = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                        + "(install the Debian package 'postgresql', or set EASEL_PG_BIN)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new IllegalStateException(message);
                }
                Assumptions.abort(message);
            }
            shared = start(bin);
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "easel-pg-stop"));
        }
        return shared;
    }

    /** The shared server, registered to stop when the whole test plan ends. */
    public static PostgresServer shared(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(PostgresServer.class, k -> shared(), PostgresServer.class);
    }

    static Path findBinaries() {
        String env = System.getenv("EASEL_PG_BIN");
        if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
            return Path.of(env);
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static PostgresServer start(Path bin) {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("easel-pg-");
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            Path data = dir.resolve("data");
            run(command(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"), dir.resolve("initdb.log"));
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Process p = new ProcessBuilder(command(root, bin.resolve("postgres").toString(), "-D", data.toString(),
                        "-p", Integer.toString(port), "-h", "127.0.0.1", "-k", dir.toString(), "-F",
                        "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=100",
                        "-c", "shared_buffers=32MB"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("postgres.log").toFile()).start();
                PostgresServer server = new PostgresServer(bin, dir, port, root, p);
                try {
                    server.awaitReady();
                    return server;
                } catch (IOException e) {
                    last = e;
                    p.destroyForcibly();
                }
            }
            throw new IllegalStateException("PostgreSQL did not start", last);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL from " + bin + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("postgres exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("postgres.log")));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "")) {
                if (c.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("postgres did not accept connections within 20 s: " + (last == null ? "" : last.getMessage()));
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new empty database named after {@code hint}; returns its JDBC URL. */
    public String createDatabase(String hint) {
        String name = (hint.toLowerCase().replaceAll("[^a-z0-9]+", "_") + "_" + DATABASES.incrementAndGet());
        name = name.length() > 60 ? name.substring(name.length() - 60) : name;
        name = name.matches("^[a-z_].*") ? name : "d" + name;
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void stop() {
        if (!process.isAlive()) {
            return;
        }
        try {
            run(command(asPostgresUser, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "stop", "-m", "immediate", "-w"), dir.resolve("pg_ctl.log"));
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException | IllegalStateException e) {
            // fall through to the forcible stop
        }
        process.destroyForcibly();
        deleteTree(dir);
    }

    private static List<String> command(boolean asPostgresUser, String... args) {
        List<String> out = new ArrayList<>();
        if (asPostgresUser) {
            out.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        out.addAll(List.of(args));
        return out;
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temp directory
        }
    }
}
