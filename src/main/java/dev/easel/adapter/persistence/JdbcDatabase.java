package dev.easel.adapter.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.easel.application.RepositoryException;
import dev.easel.application.TransactionRunner;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The database: a connection pool, the schema brought up to date by Flyway (db/migration), the dialect, and the
 * shared {@link TransactionRunner} that every JDBC adapter (jobs and quotas) runs in.
 */
public final class JdbcDatabase implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final SqlDialect dialect;
    private final String url;
    private final JdbcTransactionRunner transactions;

    private JdbcDatabase(HikariDataSource dataSource, SqlDialect dialect, String url) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.url = url;
        this.transactions = new JdbcTransactionRunner(dataSource);
    }

    /** Connects, migrates the schema and returns the ready database. */
    public static JdbcDatabase open(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(settings.url()));
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        config.setAutoCommit(true);
        config.setPoolName("easel-db");
        config.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new RepositoryException("cannot connect to " + settings.url() + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            SqlDialect dialect;
            try (Connection c = ds.getConnection()) {
                dialect = SqlDialect.fromProductName(c.getMetaData().getDatabaseProductName());
            }
            return new JdbcDatabase(ds, dialect, settings.url());
        } catch (SQLException | RuntimeException e) {
            ds.close();
            throw new RepositoryException("cannot prepare the database at " + settings.url() + ": " + rootMessage(e), e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    public String url() {
        return url;
    }

    public TransactionRunner transactions() {
        return transactions;
    }

    public JdbcJobRepository jobRepository() {
        return new JdbcJobRepository(dialect, url);
    }

    /** The quota store in this database; it joins the transactions of {@link #transactions()} open on the caller's thread. */
    public JdbcQuotaStore quotaStore() {
        return new JdbcQuotaStore(dialect, transactions);
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /**
     * The URL the pool connects with. For H2, result re-use is switched off ({@code OPTIMIZE_REUSE_RESULTS=FALSE})
     * unless the URL sets it: H2 answers a repeated query with its previous result while no table was written since,
     * and another transaction's commit writes none, so a transaction could still read a row as missing after its
     * creator committed (seen with concurrent first uses of a guild).
     */
    static String jdbcUrl(String url) {
        if (url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("OPTIMIZE_REUSE_RESULTS")) {
            return url + ";OPTIMIZE_REUSE_RESULTS=FALSE";
        }
        return url;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
