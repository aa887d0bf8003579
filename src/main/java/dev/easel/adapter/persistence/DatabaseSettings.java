package dev.easel.adapter.persistence;

/**
 * @param url      JDBC URL: {@code jdbc:h2:file:./data/easel;…} (embedded, the default) or
 *                 {@code jdbc:postgresql://host:5432/easel}
 * @param poolSize most open connections
 */
public record DatabaseSettings(String url, String user, String password, int poolSize) {
    /**
     * The embedded default: an H2 file under data/, in PostgreSQL compatibility mode. WRITE_DELAY=0 writes every
     * commit to the file at once (H2 otherwise keeps up to 0.5 s of commits in memory, which a killed process
     * would lose).
     */
    public static final String DEFAULT_URL =
            "jdbc:h2:file:./data/easel;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";

    public DatabaseSettings {
        if (url == null || !url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("database url must be a JDBC URL (jdbc:h2:… or jdbc:postgresql:…); got "
                    + url);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size must be >= 1; got " + poolSize);
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** An embedded H2 database in PostgreSQL mode at this file path (without the .mv.db suffix). */
    public static DatabaseSettings h2File(java.nio.file.Path path) {
        return new DatabaseSettings("jdbc:h2:file:" + path.toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0", "sa", "", 8);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url + ", user=" + user + ", password=***, poolSize=" + poolSize + "]";
    }
}
