package dev.easel.process;

import dev.easel.adapter.persistence.DatabaseSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** easel.yaml for worker processes in tests: fast polling, short lease, no merging, no previews. */
final class WorkerConfigFile {
    private WorkerConfigFile() {
    }

    static Path write(Path dir, DatabaseSettings db, Path images) throws IOException {
        Path file = dir.resolve("easel.yaml");
        Files.writeString(file, """
                database:
                  url: "%s"
                  user: "%s"
                  password: "%s"
                  pool-size: 4
                storage:
                  images-dir: "%s"
                worker:
                  max-batch-images: 4
                  poll-interval-ms: 50
                  heartbeat-ms: 200
                  lease-timeout-ms: 5000
                  cancel-poll-ms: 100
                  preview-every-steps: 0
                  max-attempts: 2
                """.formatted(db.url(), db.user(), db.password(), images.toString()));
        return file;
    }
}
