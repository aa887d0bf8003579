package dev.easel.adapter.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.application.RepositoryException;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.quota.Account;
import dev.easel.domain.quota.Assignment;
import dev.easel.domain.quota.AuditAction;
import dev.easel.domain.quota.AuditEntry;
import dev.easel.domain.quota.GuildSettings;
import dev.easel.domain.quota.Lane;
import dev.easel.domain.quota.Meter;
import dev.easel.domain.quota.PeriodMode;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.PlanField;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.QuotaStore;
import dev.easel.domain.quota.QuotaTx;
import dev.easel.domain.quota.Reservation;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReservationState;
import dev.easel.domain.quota.Subscription;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The quota store in the jobs database (tables {@code quota_*}, see db/migration/V2__quotas.sql), on PostgreSQL and
 * H2.
 *
 * <h2>Transactions</h2>
 * {@link #inTransaction} joins the transaction that the database's {@link JdbcTransactionRunner} has open on the
 * calling thread, if any: the job intake's "reserve quota + save the job" is then one JDBC transaction. The joined
 * work runs inside a savepoint, so if it throws, what it wrote is undone (and the exception propagates) while the
 * caller's transaction stays usable. A nested {@code inTransaction} joins the same way. With no transaction open,
 * the work runs in a transaction of its own, committed when it returns.
 *
 * <h2>Locks (the {@link QuotaStore} contract)</h2>
 * <ul>
 *   <li>{@link QuotaTx#lockAccount}: {@code INSERT … ON CONFLICT DO NOTHING} (an insert that meets another
 *       transaction's uncommitted insert of the same member waits for it), then {@code SELECT … FOR UPDATE}: the
 *       account row stays locked until the transaction ends. Both databases re-read the row after waiting for its
 *       lock, and every later statement in READ COMMITTED sees what the previous holder committed.</li>
 *   <li>{@link QuotaTx#lockGuild}: {@code SELECT … FOR UPDATE} on the guild row.</li>
 *   <li>{@link QuotaTx#createGuild}: {@code INSERT … ON CONFLICT DO NOTHING}; the plans are inserted only by the
 *       transaction whose insert took effect.</li>
 * </ul>
 * Instants are stored with microsecond precision (what both databases keep).
 */
public final class JdbcQuotaStore implements QuotaStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> FIELDS = new TypeReference<>() {
    };
    private static final int MAX_PLAN_FIELDS = 4000;
    private static final int MAX_ID_LIST = 1_000_000;

    private static final String ACCOUNT_COLUMNS = "guild_id, user_id, bonus_images, plan_name, plan_since, role_ids, "
            + "sku_ids, private_enabled";
    private static final String RESERVATION_COLUMNS = "id, guild_id, user_id, plan_name, period_start, lane, "
            + "plan_images, bonus_images, max_running, state, committed_images, created_at, updated_at";
    private static final String ASSIGNMENT_COLUMNS = "guild_id, user_id, plan_name, assigned_by, assigned_at, expires_at";
    private static final String METER_COLUMNS = "guild_id, user_id, plan_name, period_start, committed_images, "
            + "pending_images";

    private final SqlDialect dialect;
    private final JdbcTransactionRunner transactions;

    /**
     * @param transactions the database's runner (the one the job use cases run in), whose open transactions the
     *                     store joins
     */
    public JdbcQuotaStore(SqlDialect dialect, JdbcTransactionRunner transactions) {
        this.dialect = dialect;
        this.transactions = transactions;
    }

    @Override
    public <T> T inTransaction(Function<QuotaTx, T> work) {
        Optional<JdbcTx> open = transactions.current();
        if (open.isEmpty()) {
            return transactions.inTransaction(tx -> run(JdbcTx.of(tx), work));
        }
        Connection c = open.get().connection();
        Savepoint savepoint;
        try {
            savepoint = c.setSavepoint();
        } catch (SQLException e) {
            throw fail("start a quota savepoint", e);
        }
        T result;
        try {
            result = run(c, work);
        } catch (RuntimeException | Error e) {
            try {
                c.rollback(savepoint);
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        try {
            c.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw fail("release a quota savepoint", e);
        }
        return result;
    }

    private <T> T run(Connection c, Function<QuotaTx, T> work) {
        Tx tx = new Tx(c);
        try {
            return work.apply(tx);
        } finally {
            tx.closed = true;
        }
    }

    /**
     * An open reservation whose job is no longer waiting or running.
     *
     * @param jobStatus the job's status (DONE, FAILED or CANCELLED), or empty when no job refers to the reservation
     */
    public record Unsettled(ReservationId id, Optional<JobStatus> jobStatus) {
    }

    /**
     * Open (QUEUED or RUNNING) reservations whose job ended or does not exist. Reserving and saving the job, and
     * ending the job and settling its reservation, are each one transaction, so these only come from jobs whose
     * quota was settled elsewhere (a process running another quota on the same database) or rows removed by hand.
     */
    public List<Unsettled> unsettledReservations() {
        return inTransaction(tx -> ((Tx) tx).query("list unsettled reservations",
                "SELECT r.id, j.status FROM quota_reservations r LEFT JOIN jobs j ON j.reservation_id = r.id "
                        + "WHERE r.state IN ('QUEUED', 'RUNNING') AND (j.id IS NULL OR j.status IN ('DONE', 'FAILED', "
                        + "'CANCELLED')) ORDER BY r.created_at, r.id",
                ps -> {
                }, rs -> {
                    String status = rs.getString(2);
                    return new Unsettled(new ReservationId(rs.getString(1)),
                            status == null ? Optional.empty() : Optional.of(JobStatus.valueOf(status)));
                }));
    }

    /**
     * Settles every {@linkplain #unsettledReservations() unsettled reservation}: committed when its job is DONE,
     * refunded otherwise (job failed, cancelled or gone). Each in its own transaction; one settled meanwhile is left
     * as it is. Returns how many were open.
     */
    public int settleUnsettled(QuotaService quota) {
        List<Unsettled> open = unsettledReservations();
        for (Unsettled u : open) {
            if (u.jobStatus().equals(Optional.of(JobStatus.DONE))) {
                quota.commit(u.id());
            } else {
                quota.refund(u.id());
            }
        }
        return open.size();
    }

    // ---- the transaction ----------------------------------------------------------------------

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final class Tx implements QuotaTx {
        private final Connection c;
        boolean closed;

        Tx(Connection c) {
            this.c = c;
        }

        private Connection c() {
            if (closed) {
                throw new IllegalStateException("quota transaction already ended");
            }
            return c;
        }

        <T> List<T> query(String what, String sql, Binder binder, RowReader<T> reader) {
            try (PreparedStatement ps = c().prepareStatement(sql)) {
                binder.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(reader.read(rs));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw fail(what, e);
            }
        }

        private <T> Optional<T> one(String what, String sql, Binder binder, RowReader<T> reader) {
            return query(what, sql, binder, reader).stream().findFirst();
        }

        private int update(String what, String sql, Binder binder) {
            try (PreparedStatement ps = c().prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw fail(what, e);
            }
        }

        // ---- guild settings and plans -------------------------------------------------------------

        @Override
        public Optional<GuildSettings> guild(String guildId) {
            return one("read guild " + guildId, "SELECT guild_id, default_plan, period_mode, created_at FROM quota_guilds "
                    + "WHERE guild_id = ?", ps -> ps.setString(1, guildId), JdbcQuotaStore::guildRow);
        }

        @Override
        public boolean createGuild(GuildSettings settings, List<Plan> plans) {
            int inserted = update("create guild " + settings.guildId(), dialect.insertIfAbsent("quota_guilds",
                    List.of("guild_id", "default_plan", "period_mode", "created_at")), ps -> bindGuild(ps, settings));
            if (inserted == 0) {
                return false;
            }
            for (Plan p : plans) {
                savePlan(settings.guildId(), p);
            }
            return true;
        }

        @Override
        public GuildSettings lockGuild(String guildId) {
            return one("lock guild " + guildId, "SELECT guild_id, default_plan, period_mode, created_at FROM quota_guilds "
                    + "WHERE guild_id = ? FOR UPDATE", ps -> ps.setString(1, guildId), JdbcQuotaStore::guildRow)
                    .orElseThrow(() -> new IllegalStateException("unknown guild " + guildId));
        }

        @Override
        public void saveGuild(GuildSettings settings) {
            update("save guild " + settings.guildId(), dialect.upsert("quota_guilds",
                    List.of("guild_id", "default_plan", "period_mode", "created_at"), List.of("guild_id")),
                    ps -> bindGuild(ps, settings));
        }

        @Override
        public List<Plan> plans(String guildId) {
            return query("read the plans of guild " + guildId, "SELECT plan_name, fields FROM quota_plans WHERE guild_id = ?",
                    ps -> ps.setString(1, guildId), rs -> plan(rs.getString(1), rs.getString(2)));
        }

        @Override
        public void savePlan(String guildId, Plan plan) {
            String fields = fields(plan);
            update("save plan " + plan.name() + " of guild " + guildId, dialect.upsert("quota_plans",
                    List.of("guild_id", "plan_name", "fields"), List.of("guild_id", "plan_name")), ps -> {
                ps.setString(1, guildId);
                ps.setString(2, plan.name());
                ps.setString(3, fields);
            });
        }

        @Override
        public boolean deletePlan(String guildId, String planName) {
            return update("delete plan " + planName + " of guild " + guildId,
                    "DELETE FROM quota_plans WHERE guild_id = ? AND plan_name = ?", ps -> {
                        ps.setString(1, guildId);
                        ps.setString(2, planName);
                    }) > 0;
        }

        // ---- role and SKU mappings ----------------------------------------------------------------

        private Map<String, String> mappings(String table, String idColumn, String guildId) {
            Map<String, String> out = new HashMap<>();
            query("read " + table + " of guild " + guildId, "SELECT " + idColumn + ", plan_name FROM " + table
                    + " WHERE guild_id = ?", ps -> ps.setString(1, guildId), rs -> out.put(rs.getString(1), rs.getString(2)));
            return out;
        }

        private void map(String table, String idColumn, String guildId, String id, String planName) {
            update("map " + id + " to plan " + planName + " in guild " + guildId, dialect.upsert(table,
                    List.of("guild_id", idColumn, "plan_name"), List.of("guild_id", idColumn)), ps -> {
                ps.setString(1, guildId);
                ps.setString(2, id);
                ps.setString(3, planName);
            });
        }

        private boolean unmap(String table, String idColumn, String guildId, String id) {
            return update("unmap " + id + " in guild " + guildId, "DELETE FROM " + table + " WHERE guild_id = ? AND "
                    + idColumn + " = ?", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, id);
            }) > 0;
        }

        @Override
        public Map<String, String> roleMappings(String guildId) {
            return mappings("quota_role_plans", "role_id", guildId);
        }

        @Override
        public void mapRole(String guildId, String roleId, String planName) {
            map("quota_role_plans", "role_id", guildId, roleId, planName);
        }

        @Override
        public boolean unmapRole(String guildId, String roleId) {
            return unmap("quota_role_plans", "role_id", guildId, roleId);
        }

        @Override
        public Map<String, String> skuMappings(String guildId) {
            return mappings("quota_sku_plans", "sku_id", guildId);
        }

        @Override
        public void mapSku(String guildId, String skuId, String planName) {
            map("quota_sku_plans", "sku_id", guildId, skuId, planName);
        }

        @Override
        public boolean unmapSku(String guildId, String skuId) {
            return unmap("quota_sku_plans", "sku_id", guildId, skuId);
        }

        // ---- assignments --------------------------------------------------------------------------

        @Override
        public List<Assignment> assignments(String guildId, String userId) {
            return query("read the assignments of user " + userId, "SELECT " + ASSIGNMENT_COLUMNS
                    + " FROM quota_assignments WHERE guild_id = ? AND user_id = ?", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, userId);
            }, JdbcQuotaStore::assignmentRow);
        }

        @Override
        public List<Assignment> assignmentsOfPlan(String guildId, String planName) {
            return query("read the assignments of plan " + planName, "SELECT " + ASSIGNMENT_COLUMNS
                    + " FROM quota_assignments WHERE guild_id = ? AND plan_name = ?", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, planName);
            }, JdbcQuotaStore::assignmentRow);
        }

        @Override
        public void saveAssignment(Assignment a) {
            update("assign plan " + a.plan() + " to user " + a.userId(), dialect.upsert("quota_assignments",
                    columns(ASSIGNMENT_COLUMNS), List.of("guild_id", "user_id", "plan_name")), ps -> {
                ps.setString(1, a.guildId());
                ps.setString(2, a.userId());
                ps.setString(3, a.plan());
                ps.setString(4, a.assignedBy());
                setTime(ps, 5, a.assignedAt());
                setTime(ps, 6, a.expiresAt().orElse(null));
            });
        }

        @Override
        public boolean deleteAssignment(String guildId, String userId, String planName) {
            return update("unassign plan " + planName + " from user " + userId,
                    "DELETE FROM quota_assignments WHERE guild_id = ? AND user_id = ? AND plan_name = ?", ps -> {
                        ps.setString(1, guildId);
                        ps.setString(2, userId);
                        ps.setString(3, planName);
                    }) > 0;
        }

        // ---- member accounts, meters, reservations -------------------------------------------------

        @Override
        public Account lockAccount(String guildId, String userId) {
            Optional<Account> locked = selectForUpdate(guildId, userId);
            if (locked.isPresent()) {
                return locked.get();
            }
            // FOR UPDATE cannot lock a row that does not exist yet: insert it (or wait for the concurrent insert of
            // another transaction and find it), then lock it
            update("create the account of user " + userId, dialect.insertIfAbsent("quota_accounts",
                    columns(ACCOUNT_COLUMNS)), ps -> bindAccount(ps, Account.fresh(guildId, userId)));
            return selectForUpdate(guildId, userId).orElseThrow(() -> new IllegalStateException(
                    "the account of user " + userId + " in guild " + guildId + " vanished while being locked"));
        }

        private Optional<Account> selectForUpdate(String guildId, String userId) {
            return one("lock the account of user " + userId, "SELECT " + ACCOUNT_COLUMNS
                    + " FROM quota_accounts WHERE guild_id = ? AND user_id = ? FOR UPDATE", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, userId);
            }, JdbcQuotaStore::accountRow);
        }

        @Override
        public Optional<Account> account(String guildId, String userId) {
            return one("read the account of user " + userId, "SELECT " + ACCOUNT_COLUMNS
                    + " FROM quota_accounts WHERE guild_id = ? AND user_id = ?", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, userId);
            }, JdbcQuotaStore::accountRow);
        }

        @Override
        public void saveAccount(Account a) {
            update("save the account of user " + a.userId(), dialect.upsert("quota_accounts", columns(ACCOUNT_COLUMNS),
                    List.of("guild_id", "user_id")), ps -> bindAccount(ps, a));
        }

        @Override
        public Optional<Meter> meter(String guildId, String userId, String planName, Instant periodStart) {
            return one("read a meter of user " + userId, "SELECT " + METER_COLUMNS + " FROM quota_meters "
                    + "WHERE guild_id = ? AND user_id = ? AND plan_name = ? AND period_start = ?", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, userId);
                ps.setString(3, planName);
                setTime(ps, 4, periodStart);
            }, JdbcQuotaStore::meterRow);
        }

        @Override
        public List<Meter> meters(String guildId, String userId) {
            return query("read the meters of user " + userId, "SELECT " + METER_COLUMNS
                    + " FROM quota_meters WHERE guild_id = ? AND user_id = ?", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, userId);
            }, JdbcQuotaStore::meterRow);
        }

        @Override
        public void saveMeter(Meter m) {
            update("save a meter of user " + m.userId(), dialect.upsert("quota_meters", columns(METER_COLUMNS),
                    List.of("guild_id", "user_id", "plan_name", "period_start")), ps -> {
                ps.setString(1, m.guildId());
                ps.setString(2, m.userId());
                ps.setString(3, m.plan());
                setTime(ps, 4, m.periodStart());
                ps.setInt(5, m.committed());
                ps.setInt(6, m.pending());
            });
        }

        @Override
        public void insertReservation(Reservation r) {
            update("save reservation " + r.id(), SqlDialect.insert("quota_reservations", columns(RESERVATION_COLUMNS)),
                    ps -> bindReservation(ps, r));
        }

        @Override
        public void updateReservation(Reservation r) {
            int n = update("update reservation " + r.id(), "UPDATE quota_reservations SET guild_id = ?, user_id = ?, "
                    + "plan_name = ?, period_start = ?, lane = ?, plan_images = ?, bonus_images = ?, max_running = ?, "
                    + "state = ?, committed_images = ?, created_at = ?, updated_at = ? WHERE id = ?", ps -> {
                ps.setString(1, r.guildId());
                ps.setString(2, r.userId());
                ps.setString(3, r.plan());
                setTime(ps, 4, r.periodStart());
                ps.setString(5, r.lane().name());
                ps.setInt(6, r.planImages());
                ps.setInt(7, r.bonusImages());
                ps.setInt(8, r.maxRunning());
                ps.setString(9, r.state().name());
                ps.setInt(10, r.committedImages());
                setTime(ps, 11, r.createdAt());
                setTime(ps, 12, r.updatedAt());
                ps.setString(13, r.id().value());
            });
            if (n == 0) {
                throw new IllegalStateException("unknown reservation " + r.id());
            }
        }

        @Override
        public Optional<Reservation> reservation(ReservationId id) {
            return one("read reservation " + id, "SELECT " + RESERVATION_COLUMNS + " FROM quota_reservations WHERE id = ?",
                    ps -> ps.setString(1, id.value()), JdbcQuotaStore::reservationRow);
        }

        @Override
        public List<Reservation> openReservations(String guildId, String userId) {
            return query("read the open reservations of user " + userId, "SELECT " + RESERVATION_COLUMNS
                    + " FROM quota_reservations WHERE guild_id = ? AND user_id = ? AND state IN ('QUEUED', 'RUNNING') "
                    + "ORDER BY created_at, id", ps -> {
                ps.setString(1, guildId);
                ps.setString(2, userId);
            }, JdbcQuotaStore::reservationRow);
        }

        // ---- audit --------------------------------------------------------------------------------

        @Override
        public AuditEntry appendAudit(AuditEntry e) {
            try (PreparedStatement ps = c().prepareStatement("INSERT INTO quota_audit (guild_id, actor_id, changed_at, "
                    + "audit_action, subject, change_text) VALUES (?, ?, ?, ?, ?, ?)", new String[]{"seq"})) {
                ps.setString(1, e.guildId());
                ps.setString(2, e.actorId());
                setTime(ps, 3, e.at());
                ps.setString(4, e.action().name());
                ps.setString(5, e.subject());
                ps.setString(6, e.change());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new IllegalStateException("the database gave the audit entry no sequence number");
                    }
                    return e.withSequence(keys.getLong(1));
                }
            } catch (SQLException ex) {
                throw fail("record an audit entry of guild " + e.guildId(), ex);
            }
        }

        @Override
        public List<AuditEntry> audit(String guildId, int limit) {
            if (limit < 1) {
                return List.of();
            }
            return query("read the audit log of guild " + guildId, "SELECT seq, guild_id, actor_id, changed_at, "
                    + "audit_action, subject, change_text FROM quota_audit WHERE guild_id = ? ORDER BY seq DESC LIMIT ?", ps -> {
                ps.setString(1, guildId);
                ps.setInt(2, limit);
            }, rs -> new AuditEntry(rs.getLong(1), rs.getString(2), rs.getString(3), time(rs, 4),
                    AuditAction.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7)));
        }
    }

    // ---- rows -----------------------------------------------------------------------------------

    private static List<String> columns(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).toList();
    }

    private static GuildSettings guildRow(ResultSet rs) throws SQLException {
        return new GuildSettings(rs.getString(1), rs.getString(2), PeriodMode.valueOf(rs.getString(3)), time(rs, 4));
    }

    private static void bindGuild(PreparedStatement ps, GuildSettings s) throws SQLException {
        ps.setString(1, s.guildId());
        ps.setString(2, s.defaultPlan());
        ps.setString(3, s.periodMode().name());
        setTime(ps, 4, s.createdAt());
    }

    /** Every field of the plan as a JSON object of texts (see {@link PlanField#toFields}). */
    static String fields(Plan plan) {
        String json;
        try {
            json = JSON.writeValueAsString(PlanField.toFields(plan));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plan " + plan.name() + " could not be written as JSON: " + e.getMessage(), e);
        }
        if (json.length() > MAX_PLAN_FIELDS) {
            throw new IllegalArgumentException("plan " + plan.name() + " takes " + json.length()
                    + " characters stored; at most " + MAX_PLAN_FIELDS + " fit");
        }
        return json;
    }

    static Plan plan(String name, String json) {
        Map<String, String> fields;
        try {
            fields = JSON.readValue(json, FIELDS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan " + name + " is not a JSON object of fields: "
                    + e.getOriginalMessage(), e);
        }
        return PlanField.restore(name, fields);
    }

    private static Assignment assignmentRow(ResultSet rs) throws SQLException {
        return new Assignment(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), time(rs, 5),
                Optional.ofNullable(time(rs, 6)));
    }

    private static Account accountRow(ResultSet rs) throws SQLException {
        String plan = rs.getString(4);
        Subscription s = plan == null ? null : new Subscription(plan, time(rs, 5));
        return new Account(rs.getString(1), rs.getString(2), rs.getInt(3), s, ids(rs.getString(6)), ids(rs.getString(7)),
                rs.getBoolean(8));
    }

    private static void bindAccount(PreparedStatement ps, Account a) throws SQLException {
        ps.setString(1, a.guildId());
        ps.setString(2, a.userId());
        ps.setInt(3, a.bonusImages());
        ps.setString(4, a.subscription() == null ? null : a.subscription().plan());
        setTime(ps, 5, a.subscription() == null ? null : a.subscription().since());
        ps.setString(6, idList("role", a.roleIds()));
        ps.setString(7, idList("SKU", a.skuIds()));
        ps.setBoolean(8, a.privateEnabled());
    }

    /** Ids (which never contain spaces) sorted and joined by single spaces. */
    private static String idList(String what, Set<String> ids) {
        String joined = String.join(" ", new TreeSet<>(ids));
        if (joined.length() > MAX_ID_LIST) {
            throw new IllegalArgumentException(ids.size() + " " + what + " ids take " + joined.length()
                    + " characters; at most " + MAX_ID_LIST + " can be stored");
        }
        return joined;
    }

    private static Set<String> ids(String joined) {
        return joined.isEmpty() ? Set.of() : Set.of(joined.split(" "));
    }

    private static Meter meterRow(ResultSet rs) throws SQLException {
        return new Meter(rs.getString(1), rs.getString(2), rs.getString(3), time(rs, 4), rs.getInt(5), rs.getInt(6));
    }

    private static void bindReservation(PreparedStatement ps, Reservation r) throws SQLException {
        ps.setString(1, r.id().value());
        ps.setString(2, r.guildId());
        ps.setString(3, r.userId());
        ps.setString(4, r.plan());
        setTime(ps, 5, r.periodStart());
        ps.setString(6, r.lane().name());
        ps.setInt(7, r.planImages());
        ps.setInt(8, r.bonusImages());
        ps.setInt(9, r.maxRunning());
        ps.setString(10, r.state().name());
        ps.setInt(11, r.committedImages());
        setTime(ps, 12, r.createdAt());
        setTime(ps, 13, r.updatedAt());
    }

    private static Reservation reservationRow(ResultSet rs) throws SQLException {
        return new Reservation(new ReservationId(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4),
                time(rs, 5), Lane.valueOf(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getInt(9),
                ReservationState.valueOf(rs.getString(10)), rs.getInt(11), time(rs, 12), time(rs, 13));
    }

    private static Instant time(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** Stored with microsecond precision (what both databases keep). */
    private static void setTime(PreparedStatement ps, int index, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
        }
    }

    private static RepositoryException fail(String what, SQLException e) {
        return new RepositoryException("could not " + what + ": " + e.getMessage(), e);
    }
}
