package dev.easel.testing;

import dev.easel.adapter.persistence.DatabaseSettings;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension giving a test class its own database on the shared {@link PostgresServer}:
 * {@code @RegisterExtension static final PostgresDatabase PG = new PostgresDatabase();} then {@code PG.settings()}.
 */
public final class PostgresDatabase implements BeforeAllCallback {
    private String url;

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresServer server = PostgresServer.shared(context);
        url = server.createDatabase(context.getRequiredTestClass().getSimpleName());
    }

    public DatabaseSettings settings() {
        if (url == null) {
            throw new IllegalStateException("the database is created before all tests of the class");
        }
        return new DatabaseSettings(url, PostgresServer.USER, "", 16);
    }
}
