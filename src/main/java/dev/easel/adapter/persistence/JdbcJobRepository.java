package dev.easel.adapter.persistence;

import dev.easel.application.BatchKey;
import dev.easel.application.JobRepository;
import dev.easel.application.QueueSnapshot;
import dev.easel.application.RepositoryException;
import dev.easel.application.RunSample;
import dev.easel.application.Tx;
import dev.easel.application.UserLoad;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.Sampler;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/** Jobs in the {@code jobs} and {@code job_images} tables (see db/migration/V1__jobs.sql). */
public final class JdbcJobRepository implements JobRepository {
    private static final String COLUMNS = "id, owner_user_id, guild_id, channel_id, kind, parent_id, candidate_index, "
            + "source_image_id, prompt, negative_prompt, width, height, steps, guidance_scale, sampler, seed, chaos, "
            + "stylize, tile, quality, model, strength, candidate_count, lane, lane_rank, plan_name, private_result, "
            + "reservation_id, max_running, status, created_at, started_at, finished_at, heartbeat_at, attempts, "
            + "worker_id, cancel_requested, failure_reason, grid_image_id";
    private static final int MAX_REASON = 2000;
    private static final int IN_CHUNK = 500;

    private final SqlDialect dialect;
    private final String database;

    /**
     * @param database identifies the database (its JDBC URL): H2 claims on one database share one JVM lock
     */
    public JdbcJobRepository(SqlDialect dialect, String database) {
        this.dialect = dialect;
        this.database = database;
    }

    @Override
    public void insert(Job job, Tx tx) {
        String marks = COLUMNS.replaceAll("[a-z_]+", "?");
        try (PreparedStatement ps = c(tx).prepareStatement("INSERT INTO jobs (" + COLUMNS + ") VALUES (" + marks + ")")) {
            GenerationParams p = job.params();
            int i = 0;
            ps.setString(++i, job.id().value());
            ps.setString(++i, job.owner().userId());
            ps.setString(++i, job.owner().guildId());
            ps.setString(++i, job.owner().channelId());
            ps.setString(++i, job.kind().name());
            Origin o = job.origin();
            ps.setString(++i, o == null || o.parentId() == null ? null : o.parentId().value());
            setInt(ps, ++i, o == null ? null : o.candidateIndex());
            ps.setString(++i, o == null ? null : o.sourceImageId());
            ps.setString(++i, p.prompt());
            ps.setString(++i, p.negativePrompt());
            ps.setInt(++i, p.width());
            ps.setInt(++i, p.height());
            ps.setInt(++i, p.steps());
            ps.setDouble(++i, p.guidanceScale());
            ps.setString(++i, p.sampler().id());
            ps.setLong(++i, job.seed());
            ps.setInt(++i, p.chaos());
            setInt(ps, ++i, p.stylize().isPresent() ? p.stylize().getAsInt() : null);
            ps.setBoolean(++i, p.tile());
            ps.setDouble(++i, p.quality());
            ps.setString(++i, p.model());
            ps.setDouble(++i, p.strength());
            ps.setInt(++i, p.candidateCount());
            ps.setString(++i, job.lane().name());
            ps.setInt(++i, job.lane().priority());
            ps.setString(++i, job.planName());
            ps.setBoolean(++i, job.privateResult());
            ps.setString(++i, job.reservationId());
            ps.setInt(++i, job.maxRunning());
            ps.setString(++i, job.status().name());
            setTime(ps, ++i, job.createdAt());
            setTime(ps, ++i, job.startedAt());
            setTime(ps, ++i, job.finishedAt());
            setTime(ps, ++i, null);
            ps.setInt(++i, job.attempts());
            ps.setString(++i, job.workerId());
            ps.setBoolean(++i, job.cancelRequested());
            ps.setString(++i, reason(job.failureReason()));
            ps.setString(++i, job.gridImageId());
            ps.executeUpdate();
            writeImages(tx, job);
        } catch (SQLException e) {
            throw fail("save job " + job.id(), e);
        }
    }

    @Override
    public Optional<Job> find(JobId id, Tx tx) {
        List<Job> found = select(tx, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", ps -> ps.setString(1, id.value()));
        return found.stream().findFirst();
    }

    @Override
    public List<Job> findByOwner(String userId, int limit, Tx tx) {
        return select(tx, "SELECT " + COLUMNS + " FROM jobs WHERE owner_user_id = ? ORDER BY created_at DESC, id "
                + "LIMIT ?", ps -> {
            ps.setString(1, userId);
            ps.setInt(2, limit);
        });
    }

    @Override
    public List<Job> findFinished(JobStatus status, boolean publicOnly, String guildId, int limit, Tx tx) {
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("finished jobs are DONE, FAILED or CANCELLED; got " + status);
        }
        return select(tx, "SELECT " + COLUMNS + " FROM jobs WHERE status = ?"
                + (publicOnly ? " AND private_result = FALSE" : "") + (guildId == null ? "" : " AND guild_id = ?")
                + " ORDER BY finished_at DESC, id LIMIT ?", ps -> {
            int i = 0;
            ps.setString(++i, status.name());
            if (guildId != null) {
                ps.setString(++i, guildId);
            }
            ps.setInt(++i, limit);
        });
    }

    @Override
    public List<String> owners(String guildId, int limit, Tx tx) {
        try (PreparedStatement ps = c(tx).prepareStatement("SELECT owner_user_id, MAX(created_at) AS latest FROM jobs "
                + "WHERE guild_id = ? GROUP BY owner_user_id ORDER BY latest DESC, owner_user_id LIMIT ?")) {
            ps.setString(1, guildId);
            ps.setInt(2, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw fail("list the users of guild " + guildId, e);
        }
    }

    @Override
    public UserLoad load(String userId, Tx tx) {
        try (PreparedStatement ps = c(tx).prepareStatement("SELECT status, COUNT(*) FROM jobs WHERE owner_user_id = ? "
                + "AND status IN ('QUEUED', 'RUNNING') GROUP BY status")) {
            ps.setString(1, userId);
            int queued = 0;
            int running = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (JobStatus.QUEUED.name().equals(rs.getString(1))) {
                        queued = rs.getInt(2);
                    } else {
                        running = rs.getInt(2);
                    }
                }
            }
            return new UserLoad(queued, running);
        } catch (SQLException e) {
            throw fail("count the jobs of user " + userId, e);
        }
    }

    @Override
    public QueueSnapshot snapshot(int window, Tx tx) {
        Connection c = c(tx);
        List<QueueSnapshot.Queued> queued = new ArrayList<>();
        // Rank = position of the job among its owner's waiting jobs in its lane; ordering by (lane, rank) puts
        // every user's first job in the window before anyone's second.
        // One scan of the waiting jobs (no self-join: its plan degrades badly on stale table statistics).
        String sql = "SELECT id, owner_user_id, lane_rank, created_at, max_running, candidate_count, steps, width, "
                + "height, kind, source_image_id, model, sampler, tile FROM (SELECT id, owner_user_id, lane_rank, "
                + "created_at, max_running, candidate_count, steps, width, height, kind, source_image_id, model, "
                + "sampler, tile, ROW_NUMBER() OVER (PARTITION BY owner_user_id, lane_rank ORDER BY created_at, id) "
                + "AS rk FROM jobs WHERE status = 'QUEUED') q ORDER BY lane_rank, rk, created_at, id LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, window);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int width = rs.getInt("width");
                    int height = rs.getInt("height");
                    int steps = rs.getInt("steps");
                    JobKind kind = JobKind.valueOf(rs.getString("kind"));
                    boolean textToImage = kind != JobKind.UPSCALE && rs.getString("source_image_id") == null;
                    BatchKey key = textToImage ? new BatchKey(rs.getString("model"), width, height, steps,
                            sampler(rs.getString("sampler")), rs.getBoolean("tile")) : null;
                    queued.add(new QueueSnapshot.Queued(new JobId(rs.getString("id")), rs.getString("owner_user_id"),
                            Lane.ofPriority(rs.getInt("lane_rank")), time(rs, "created_at"), rs.getInt("max_running"),
                            rs.getInt("candidate_count"), steps, (long) width * height, key));
                }
            }
        } catch (SQLException e) {
            throw fail("read the queue", e);
        }
        List<QueueSnapshot.Running> running = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, owner_user_id, started_at, candidate_count, steps, "
                + "width, height, worker_id FROM jobs WHERE status = 'RUNNING'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                running.add(new QueueSnapshot.Running(new JobId(rs.getString(1)), rs.getString(2), time(rs, "started_at"),
                        rs.getInt(4), rs.getInt(5), (long) rs.getInt(6) * rs.getInt(7), rs.getString(8)));
            }
        } catch (SQLException e) {
            throw fail("read the running jobs", e);
        }
        Set<String> users = queued.stream().map(QueueSnapshot.Queued::userId).collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, Instant> lastServed = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(users))) {
            try (PreparedStatement ps = c.prepareStatement("SELECT owner_user_id, MAX(started_at) FROM jobs "
                    + "WHERE owner_user_id IN (" + marks(chunk.size()) + ") AND started_at IS NOT NULL "
                    + "GROUP BY owner_user_id")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lastServed.put(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant());
                    }
                }
            } catch (SQLException e) {
                throw fail("read when users were last served", e);
            }
        }
        return new QueueSnapshot(queued, running, lastServed);
    }

    @Override
    public Optional<Job> claim(JobId id, String workerId, Instant now, Tx tx) {
        if (dialect.lockOwnerFirst()) {
            dialect.lockOwner(tx, database, "");
        }
        List<Job> rows = select(tx, "SELECT " + COLUMNS + " FROM jobs WHERE id = ? AND status = 'QUEUED'"
                + dialect.lockQueuedRow(), ps -> ps.setString(1, id.value()));
        if (rows.isEmpty()) {
            return Optional.empty(); // taken by another worker, or no longer waiting
        }
        Job job = rows.get(0);
        if (!dialect.lockOwnerFirst()) {
            dialect.lockOwner(tx, database, job.owner().userId());
        }
        if (load(job.owner().userId(), tx).running() >= job.maxRunning()) {
            return Optional.empty();
        }
        Job started = job.start(workerId, now);
        try (PreparedStatement ps = c(tx).prepareStatement("UPDATE jobs SET status = 'RUNNING', worker_id = ?, "
                + "started_at = ?, heartbeat_at = ?, attempts = ? WHERE id = ? AND status = 'QUEUED'")) {
            ps.setString(1, workerId);
            setTime(ps, 2, now);
            setTime(ps, 3, now);
            ps.setInt(4, started.attempts());
            ps.setString(5, id.value());
            return ps.executeUpdate() == 1 ? Optional.of(started) : Optional.empty();
        } catch (SQLException e) {
            throw fail("claim job " + id, e);
        }
    }

    @Override
    public boolean transition(Job before, Job after, Tx tx) {
        if (!before.id().equals(after.id())) {
            throw new IllegalArgumentException("transition between different jobs " + before.id() + " → " + after.id());
        }
        String sql = "UPDATE jobs SET status = ?, started_at = ?, finished_at = ?, attempts = ?, worker_id = ?, "
                + "failure_reason = ?, grid_image_id = ? WHERE id = ? AND status = ? AND attempts = ? AND "
                + (before.workerId() == null ? "worker_id IS NULL" : "worker_id = ?");
        try (PreparedStatement ps = c(tx).prepareStatement(sql)) {
            ps.setString(1, after.status().name());
            setTime(ps, 2, after.startedAt());
            setTime(ps, 3, after.finishedAt());
            ps.setInt(4, after.attempts());
            ps.setString(5, after.workerId());
            ps.setString(6, reason(after.failureReason()));
            ps.setString(7, after.gridImageId());
            ps.setString(8, before.id().value());
            ps.setString(9, before.status().name());
            ps.setInt(10, before.attempts());
            if (before.workerId() != null) {
                ps.setString(11, before.workerId());
            }
            if (ps.executeUpdate() != 1) {
                return false;
            }
            writeImages(tx, after);
            return true;
        } catch (SQLException e) {
            throw fail("update job " + before.id() + " to " + after.status(), e);
        }
    }

    @Override
    public void recordRunTime(JobId id, long runMillis, Tx tx) {
        update(tx, "UPDATE jobs SET run_ms = ? WHERE id = ?", "record the run time of job " + id, ps -> {
            ps.setLong(1, runMillis);
            ps.setString(2, id.value());
        });
    }

    @Override
    public boolean requestCancel(JobId id, Tx tx) {
        return update(tx, "UPDATE jobs SET cancel_requested = TRUE WHERE id = ? AND status = 'RUNNING'",
                "flag job " + id + " to stop", ps -> ps.setString(1, id.value())) == 1;
    }

    @Override
    public Set<JobId> cancelRequested(Collection<JobId> ids, Tx tx) {
        Set<JobId> out = new HashSet<>();
        for (List<String> chunk : chunks(ids.stream().map(JobId::value).toList())) {
            try (PreparedStatement ps = c(tx).prepareStatement("SELECT id FROM jobs WHERE cancel_requested = TRUE "
                    + "AND id IN (" + marks(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new JobId(rs.getString(1)));
                    }
                }
            } catch (SQLException e) {
                throw fail("read stop flags", e);
            }
        }
        return out;
    }

    @Override
    public void heartbeat(Collection<JobId> ids, String workerId, Instant now, Tx tx) {
        for (List<String> chunk : chunks(ids.stream().map(JobId::value).toList())) {
            update(tx, "UPDATE jobs SET heartbeat_at = ? WHERE worker_id = ? AND status = 'RUNNING' AND id IN ("
                    + marks(chunk.size()) + ")", "heartbeat", ps -> {
                setTime(ps, 1, now);
                ps.setString(2, workerId);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 3, chunk.get(i));
                }
            });
        }
    }

    @Override
    public List<Job> findOrphans(String workerId, Instant heartbeatBefore, Tx tx) {
        return select(tx, "SELECT " + COLUMNS + " FROM jobs WHERE status = 'RUNNING' AND (worker_id = ? OR "
                + "heartbeat_at IS NULL OR heartbeat_at < ?) ORDER BY created_at, id", ps -> {
            ps.setString(1, workerId);
            setTime(ps, 2, heartbeatBefore);
        });
    }

    @Override
    public List<RunSample> recentRuns(int limit, Tx tx) {
        try (PreparedStatement ps = c(tx).prepareStatement("SELECT run_ms, steps, candidate_count, width, height "
                + "FROM jobs WHERE status = 'DONE' AND run_ms IS NOT NULL ORDER BY finished_at DESC LIMIT ?")) {
            ps.setInt(1, limit);
            List<RunSample> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunSample(rs.getLong(1), rs.getInt(2), rs.getInt(3), (long) rs.getInt(4) * rs.getInt(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw fail("read recent run times", e);
        }
    }

    @Override
    public int activeWorkers(Instant since, Tx tx) {
        try (PreparedStatement ps = c(tx).prepareStatement("SELECT COUNT(*) FROM (SELECT worker_id FROM jobs "
                + "WHERE status = 'RUNNING' AND heartbeat_at >= ? UNION SELECT worker_id FROM jobs "
                + "WHERE finished_at >= ? AND worker_id IS NOT NULL) w")) {
            setTime(ps, 1, since);
            setTime(ps, 2, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw fail("count active workers", e);
        }
    }

    // --- rows ---

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Job> select(Tx tx, String sql, Binder binder) {
        List<Job> out = new ArrayList<>();
        try (PreparedStatement ps = c(tx).prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        } catch (SQLException e) {
            throw fail("read jobs", e);
        }
        if (out.isEmpty()) {
            return out;
        }
        Map<String, List<String>> images = images(tx, out.stream().filter(j -> j.status() == JobStatus.DONE)
                .map(j -> j.id().value()).toList());
        List<Job> withImages = new ArrayList<>(out.size());
        for (Job j : out) {
            List<String> ids = images.getOrDefault(j.id().value(), List.of());
            withImages.add(ids.isEmpty() ? j : new Job(j.id(), j.owner(), j.kind(), j.origin(), j.params(), j.lane(),
                    j.planName(), j.privateResult(), j.reservationId(), j.maxRunning(), j.status(), j.createdAt(),
                    j.startedAt(), j.finishedAt(), j.attempts(), j.failureReason(), ids, j.gridImageId(),
                    j.workerId(), j.cancelRequested()));
        }
        return withImages;
    }

    private Map<String, List<String>> images(Tx tx, List<String> jobIds) {
        Map<String, List<String>> out = new HashMap<>();
        for (List<String> chunk : chunks(jobIds)) {
            try (PreparedStatement ps = c(tx).prepareStatement("SELECT job_id, image_id FROM job_images WHERE job_id IN ("
                    + marks(chunk.size()) + ") ORDER BY job_id, image_index")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            } catch (SQLException e) {
                throw fail("read job images", e);
            }
        }
        return out;
    }

    private void writeImages(Tx tx, Job job) throws SQLException {
        if (job.outputImageIds().isEmpty()) {
            return;
        }
        try (PreparedStatement del = c(tx).prepareStatement("DELETE FROM job_images WHERE job_id = ?")) {
            del.setString(1, job.id().value());
            del.executeUpdate();
        }
        try (PreparedStatement ps = c(tx).prepareStatement("INSERT INTO job_images (job_id, image_index, image_id) "
                + "VALUES (?, ?, ?)")) {
            for (int i = 0; i < job.outputImageIds().size(); i++) {
                ps.setString(1, job.id().value());
                ps.setInt(2, i);
                ps.setString(3, job.outputImageIds().get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Job row(ResultSet rs) throws SQLException {
        Owner owner = new Owner(rs.getString("owner_user_id"), rs.getString("guild_id"), rs.getString("channel_id"));
        String parent = rs.getString("parent_id");
        String source = rs.getString("source_image_id");
        Origin origin = parent == null && source == null ? null : new Origin(parent == null ? null : new JobId(parent),
                rs.getInt("candidate_index"), source);
        int stylize = rs.getInt("stylize");
        OptionalInt stylizeOpt = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(stylize);
        GenerationParams params = new GenerationParams(rs.getString("prompt"), rs.getString("negative_prompt"),
                rs.getInt("width"), rs.getInt("height"), rs.getInt("steps"), rs.getDouble("guidance_scale"),
                sampler(rs.getString("sampler")), OptionalLong.of(rs.getLong("seed")), rs.getInt("chaos"), stylizeOpt,
                rs.getBoolean("tile"), rs.getDouble("quality"), rs.getString("model"), rs.getDouble("strength"),
                rs.getInt("candidate_count"));
        return new Job(new JobId(rs.getString("id")), owner, JobKind.valueOf(rs.getString("kind")), origin, params,
                Lane.valueOf(rs.getString("lane")), rs.getString("plan_name"), rs.getBoolean("private_result"),
                rs.getString("reservation_id"), rs.getInt("max_running"), JobStatus.valueOf(rs.getString("status")),
                time(rs, "created_at"), time(rs, "started_at"), time(rs, "finished_at"), rs.getInt("attempts"),
                rs.getString("failure_reason"), List.of(), rs.getString("grid_image_id"), rs.getString("worker_id"),
                rs.getBoolean("cancel_requested"));
    }

    private static Sampler sampler(String id) {
        return Sampler.fromId(id).orElseThrow(() -> new IllegalStateException("stored sampler '" + id + "' is unknown"));
    }

    private int update(Tx tx, String sql, String what, Binder binder) {
        try (PreparedStatement ps = c(tx).prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw fail(what, e);
        }
    }

    private static Connection c(Tx tx) {
        return JdbcTx.of(tx);
    }

    private static Instant time(ResultSet rs, String column) throws SQLException {
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

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static String reason(String reason) {
        return reason == null || reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
    }

    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            out.add(all.subList(i, Math.min(all.size(), i + IN_CHUNK)));
        }
        return out;
    }

    private static RepositoryException fail(String what, SQLException e) {
        return new RepositoryException("could not " + what + ": " + e.getMessage(), e);
    }
}
