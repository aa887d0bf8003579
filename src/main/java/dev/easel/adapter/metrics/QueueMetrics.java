package dev.easel.adapter.metrics;

import dev.easel.domain.job.Lane;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Queue depth read from the jobs table at each scrape: waiting and running jobs per lane, across every process
 * sharing the database (one short read-only query).
 */
public final class QueueMetrics {
    private QueueMetrics() {
    }

    public static void register(MetricsRegistry registry, DataSource dataSource) {
        registry.gaugeCallback("easel_queue_jobs",
                "Jobs in the shared queue by lane and status (queued = waiting, running = on a worker).",
                () -> read(dataSource), "lane", "status");
    }

    static List<MetricsRegistry.Sample> read(DataSource dataSource) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Lane lane : Lane.values()) {
            counts.put(lane.priority() + ":QUEUED", 0L);
            counts.put(lane.priority() + ":RUNNING", 0L);
        }
        String sql = "SELECT lane_rank, status, COUNT(*) FROM jobs WHERE status IN ('QUEUED', 'RUNNING')"
                + " GROUP BY lane_rank, status";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(5);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getInt(1) + ":" + rs.getString(2), rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the database did not answer: " + e.getMessage(), e);
        }
        List<MetricsRegistry.Sample> out = new ArrayList<>();
        counts.forEach((key, n) -> {
            String[] k = key.split(":");
            out.add(MetricsRegistry.Sample.of(n, Lane.ofPriority(Integer.parseInt(k[0])).name().toLowerCase(Locale.ROOT),
                    k[1].toLowerCase(Locale.ROOT)));
        });
        return out;
    }
}
