package dev.easel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CommandsTest {
    @Test
    void workerOptionsParse() {
        WorkerCommand.Options o = WorkerCommand.parse(List.of("--config", "x.yaml", "--id", "gpu0", "--workers", "2",
                "--fake-engine", "--fake-step-ms", "7", "--exit-when-idle", "1.5"));
        assertEquals(new WorkerCommand.Options(Path.of("x.yaml"), "gpu0", 2, true, 7, Duration.ofMillis(1500)), o);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerCommand.parse(List.of("--gpu")))
                .getMessage().startsWith("unknown option --gpu"));
        assertEquals("--workers must be a whole number >= 0; got 'many'", assertThrows(IllegalArgumentException.class,
                () -> WorkerCommand.parse(List.of("--workers", "many"))).getMessage());
    }

    @Test
    void workerWithoutAnEngineSaysHowToGetOne() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WorkerCommand.run(List.of("--exit-when-idle", "0"), null, null, null,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("pass --fake-engine"));
    }

    @Test
    void loadBenchPrintsItsTable() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LoadBenchCommand.run(List.of("--jobs", "40", "--users", "10", "--step-ms", "0", "--mode", "preload"),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String table = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, table);
        assertTrue(table.contains("| jobs done / submitted            |       40 / 40 |"), table);
        assertTrue(table.contains("| fairness: 1st half share max/min |  2 / 2 = 1.00 |"), table);
        assertTrue(table.contains("queue latency p99 (ms)"));
    }
}
