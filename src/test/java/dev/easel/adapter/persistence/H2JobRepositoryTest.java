package dev.easel.adapter.persistence;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The repository suite on the embedded default: an H2 file database in PostgreSQL mode. */
class H2JobRepositoryTest extends JobRepositoryContract {
    @TempDir
    static Path dir;

    @Override
    protected DatabaseSettings settings() {
        return DatabaseSettings.h2File(dir.resolve("easel"));
    }
}
