package dev.easel.adapter.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class MetricsRegistryTest {

    /**
     * One line of the text exposition format 0.0.4: a HELP or TYPE line, a comment, or a sample
     * {@code name{label="value",...} value} with Go-parsable numbers.
     */
    static final Pattern LINE = Pattern.compile(
            "# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*"
                    + "|# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)"
                    + "|# .*"
                    + "|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\")"
                    + "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})?"
                    + " (NaN|[+-]Inf|-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?)");

    /** Every line is well-formed and every family's samples follow its own TYPE line. */
    static void assertValidExposition(String text) {
        assertTrue(text.endsWith("\n"), "ends with a newline");
        String family = null;
        String type = null;
        for (String line : text.split("\n")) {
            assertTrue(LINE.matcher(line).matches(), "malformed line: " + line);
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                family = p[2];
                type = p[3];
            } else if (!line.startsWith("#")) {
                String name = line.split("[{ ]")[0];
                assertNotNull(family, "sample before any TYPE: " + line);
                boolean ok = type.equals("histogram")
                        ? name.equals(family + "_bucket") || name.equals(family + "_sum") || name.equals(family + "_count")
                        : name.equals(family);
                assertTrue(ok, line + " does not belong to family " + family);
            }
        }
    }

    @Test
    void countersGaugesAndHistogramsAreWrittenInTheTextFormat() {
        // given a counter with a label, a gauge and a histogram
        MetricsRegistry r = new MetricsRegistry();
        MetricsRegistry.Counter images = r.counter("easel_images_generated_total", "Images made.", "plan");
        MetricsRegistry.Gauge rate = r.gauge("easel_rate", "Steps per second.");
        MetricsRegistry.Histogram h = r.histogram("easel_job_duration_seconds", "Job time.", new double[]{1, 2.5, 10},
                "kind");
        // when values are recorded
        images.add(4, "free");
        images.inc("basic");
        images.add(4, "free");
        rate.set(2.25);
        for (double v : new double[]{0.5, 1, 2, 3, 11}) {
            h.observe(v, "imagine");
        }
        // then the exposition is exactly this (labels sorted by value, buckets cumulative, upper bounds inclusive)
        assertEquals("""
                # HELP easel_images_generated_total Images made.
                # TYPE easel_images_generated_total counter
                easel_images_generated_total{plan="basic"} 1
                easel_images_generated_total{plan="free"} 8
                # HELP easel_rate Steps per second.
                # TYPE easel_rate gauge
                easel_rate 2.25
                # HELP easel_job_duration_seconds Job time.
                # TYPE easel_job_duration_seconds histogram
                easel_job_duration_seconds_bucket{kind="imagine",le="1"} 2
                easel_job_duration_seconds_bucket{kind="imagine",le="2.5"} 3
                easel_job_duration_seconds_bucket{kind="imagine",le="10"} 4
                easel_job_duration_seconds_bucket{kind="imagine",le="+Inf"} 5
                easel_job_duration_seconds_sum{kind="imagine"} 17.5
                easel_job_duration_seconds_count{kind="imagine"} 5
                """, r.scrape());
        assertValidExposition(r.scrape());
        assertEquals(8, images.value("free"));
        assertEquals(5, h.count("imagine"));
    }

    @Test
    void unlabelledFamiliesShowZeroAndLabelValuesAndHelpAreEscaped() {
        MetricsRegistry r = new MetricsRegistry();
        r.counter("a_total", "Line one\nline two with a \\ backslash.");
        r.histogram("h_seconds", "H.", new double[]{1});
        MetricsRegistry.Gauge g = r.gauge("g", "G.", "path");
        g.set(-1.5e-7, "C:\\dir \"quoted\"\nnext");
        g.set(Double.POSITIVE_INFINITY, "inf");
        assertEquals("""
                # HELP a_total Line one\\nline two with a \\\\ backslash.
                # TYPE a_total counter
                a_total 0
                # HELP h_seconds H.
                # TYPE h_seconds histogram
                h_seconds_bucket{le="1"} 0
                h_seconds_bucket{le="+Inf"} 0
                h_seconds_sum 0
                h_seconds_count 0
                # HELP g G.
                # TYPE g gauge
                g{path="C:\\\\dir \\"quoted\\"\\nnext"} -1.5E-7
                g{path="inf"} +Inf
                """, r.scrape());
        assertValidExposition(r.scrape());
    }

    @Test
    void callbackFamiliesAreReadAtScrapeTimeAndAFailingOneDoesNotBreakTheScrape() {
        MetricsRegistry r = new MetricsRegistry();
        int[] depth = {3};
        r.gaugeCallback("q", "Queue.", () -> List.of(MetricsRegistry.Sample.of(depth[0], "fast"),
                MetricsRegistry.Sample.of(1, "relax")), "lane");
        r.gaugeCallback("down", "Broken source.", () -> {
            throw new IllegalStateException("the database did not answer");
        });
        r.counter("after_total", "After.");
        depth[0] = 7;
        String text = r.scrape();
        assertTrue(text.contains("q{lane=\"fast\"} 7\nq{lane=\"relax\"} 1\n"), text);
        assertTrue(text.contains("# TYPE down gauge\n# down not collected: the database did not answer\n"), text);
        assertTrue(text.contains("after_total 0\n"), "families after a failing one are still written");
        assertValidExposition(text);
    }

    @Test
    void misuseIsRefusedWithTheReason() {
        MetricsRegistry r = new MetricsRegistry();
        assertEquals("'2bad' is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)",
                assertThrows(IllegalArgumentException.class, () -> r.counter("2bad", "x")).getMessage());
        assertEquals("c: '__reserved' is not a valid label name",
                assertThrows(IllegalArgumentException.class, () -> r.counter("c", "x", "__reserved")).getMessage());
        MetricsRegistry.Counter c = r.counter("c_total", "x", "plan");
        assertEquals("metric c_total is already registered",
                assertThrows(IllegalArgumentException.class, () -> r.gauge("c_total", "y")).getMessage());
        assertEquals("c_total: a counter only goes up; got -1.0",
                assertThrows(IllegalArgumentException.class, () -> c.add(-1, "free")).getMessage());
        assertEquals("c_total has labels [plan]; got 2 values [free, extra]",
                assertThrows(IllegalArgumentException.class, () -> c.inc("free", "extra")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.histogram("h", "x", new double[]{2, 1}));
        assertThrows(IllegalArgumentException.class, () -> r.histogram("h2", "x", new double[]{1}, "le"));
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        MetricsRegistry r = new MetricsRegistry();
        MetricsRegistry.Counter c = r.counter("n_total", "N.", "t");
        MetricsRegistry.Histogram h = r.histogram("d", "D.", new double[]{0.5});
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (int k = 0; k < 10_000; k++) {
                    c.inc("x");
                    h.observe(k % 2);
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(40_000, c.value("x"));
        assertEquals(40_000, h.count());
        assertTrue(r.scrape().contains("d_bucket{le=\"0.5\"} 20000\nd_bucket{le=\"+Inf\"} 40000\nd_sum 20000\n"));
    }
}
