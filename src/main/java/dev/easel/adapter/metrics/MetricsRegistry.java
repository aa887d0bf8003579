package dev.easel.adapter.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A small metrics registry with the Prometheus text exposition format (version 0.0.4): counters, gauges,
 * histograms, each optionally split by labels, and callback families whose samples are computed at scrape time
 * (queue depth read from the database, memory read from /proc).
 *
 * <p>Format, per family: {@code # HELP name text} (backslash and newline escaped), {@code # TYPE name type}, then
 * one line per sample {@code name{label="value",…} value}; label values escape backslash, double quote and
 * newline. A histogram {@code h} writes cumulative {@code h_bucket{le="…"}} lines ending with {@code le="+Inf"},
 * then {@code h_sum} and {@code h_count}. Thread-safe; recording is lock-free except for histogram observations.
 */
public final class MetricsRegistry {
    /** The Content-Type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Family> families = Collections.synchronizedMap(new LinkedHashMap<>());

    /** One labelled sample of a callback family. */
    public record Sample(List<String> labelValues, double value) {
        public Sample {
            labelValues = List.copyOf(labelValues);
        }

        public static Sample of(double value, String... labelValues) {
            return new Sample(List.of(labelValues), value);
        }
    }

    private abstract static class Family {
        final String name;
        final String help;
        final String type;
        final List<String> labelNames;

        Family(String name, String help, String type, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = List.of(labelNames);
        }

        abstract void write(StringBuilder out);

        List<String> key(String[] values) {
            if (values.length != labelNames.size()) {
                throw new IllegalArgumentException(name + " has labels " + labelNames + "; got " + values.length
                        + " values " + Arrays.toString(values));
            }
            for (String v : values) {
                Objects.requireNonNull(v, () -> name + ": label values must not be null");
            }
            return List.of(values);
        }
    }

    // ---- counters ---------------------------------------------------------------------------------------------

    /** A monotonically increasing count (by convention named {@code …_total}). */
    public static final class Counter extends Family {
        private final Map<List<String>, DoubleAdder> children = new ConcurrentHashMap<>();

        private Counter(String name, String help, String[] labels) {
            super(name, help, "counter", labels);
            if (labels.length == 0) {
                children.put(List.of(), new DoubleAdder());
            }
        }

        public void inc(String... labelValues) {
            add(1, labelValues);
        }

        public void add(double amount, String... labelValues) {
            if (amount < 0 || Double.isNaN(amount)) {
                throw new IllegalArgumentException(name + ": a counter only goes up; got " + amount);
            }
            children.computeIfAbsent(key(labelValues), k -> new DoubleAdder()).add(amount);
        }

        public double value(String... labelValues) {
            DoubleAdder a = children.get(key(labelValues));
            return a == null ? 0 : a.sum();
        }

        @Override
        void write(StringBuilder out) {
            sorted(children).forEach((labels, v) -> sample(out, name, labelNames, labels, null, v.sum()));
        }
    }

    // ---- gauges -----------------------------------------------------------------------------------------------

    /** A value that goes up and down, set by the code that knows it. */
    public static final class Gauge extends Family {
        private final Map<List<String>, double[]> children = new ConcurrentHashMap<>();

        private Gauge(String name, String help, String[] labels) {
            super(name, help, "gauge", labels);
        }

        public void set(double value, String... labelValues) {
            double[] cell = children.computeIfAbsent(key(labelValues), k -> new double[1]);
            synchronized (cell) {
                cell[0] = value;
            }
        }

        public double value(String... labelValues) {
            double[] cell = children.get(key(labelValues));
            if (cell == null) {
                return Double.NaN;
            }
            synchronized (cell) {
                return cell[0];
            }
        }

        @Override
        void write(StringBuilder out) {
            sorted(children).forEach((labels, cell) -> {
                double v;
                synchronized (cell) {
                    v = cell[0];
                }
                sample(out, name, labelNames, labels, null, v);
            });
        }
    }

    /** A gauge or counter family whose samples a callback computes at scrape time. */
    private static final class Callback extends Family {
        private final Supplier<List<Sample>> samples;

        Callback(String name, String help, String type, String[] labels, Supplier<List<Sample>> samples) {
            super(name, help, type, labels);
            this.samples = samples;
        }

        @Override
        void write(StringBuilder out) {
            throw new UnsupportedOperationException("callback families are collected before writing");
        }
    }

    // ---- histograms -------------------------------------------------------------------------------------------

    /** Counts observations into cumulative buckets (upper bounds inclusive), with their sum and count. */
    public static final class Histogram extends Family {
        private final double[] bounds;
        private final Map<List<String>, Cells> children = new ConcurrentHashMap<>();

        private static final class Cells {
            final LongAdder[] buckets;
            final DoubleAdder sum = new DoubleAdder();
            final LongAdder count = new LongAdder();

            Cells(int n) {
                buckets = new LongAdder[n];
                for (int i = 0; i < n; i++) {
                    buckets[i] = new LongAdder();
                }
            }
        }

        private Histogram(String name, String help, double[] bounds, String[] labels) {
            super(name, help, "histogram", labels);
            if (bounds.length == 0) {
                throw new IllegalArgumentException(name + ": a histogram needs at least one bucket bound");
            }
            for (int i = 1; i < bounds.length; i++) {
                if (!(bounds[i] > bounds[i - 1])) {
                    throw new IllegalArgumentException(name + ": bucket bounds must increase: " + Arrays.toString(bounds));
                }
            }
            for (String l : labels) {
                if (l.equals("le")) {
                    throw new IllegalArgumentException(name + ": 'le' is reserved for the bucket bound");
                }
            }
            this.bounds = bounds.clone();
            if (labels.length == 0) {
                children.put(List.of(), new Cells(bounds.length));
            }
        }

        public void observe(double value, String... labelValues) {
            Cells c = children.computeIfAbsent(key(labelValues), k -> new Cells(bounds.length));
            // the first bucket whose upper bound holds the value; larger values land only in +Inf (= count)
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    c.buckets[i].increment();
                    break;
                }
            }
            c.sum.add(value);
            c.count.increment();
        }

        public long count(String... labelValues) {
            Cells c = children.get(key(labelValues));
            return c == null ? 0 : c.count.sum();
        }

        public double sum(String... labelValues) {
            Cells c = children.get(key(labelValues));
            return c == null ? 0 : c.sum.sum();
        }

        @Override
        void write(StringBuilder out) {
            sorted(children).forEach((labels, c) -> {
                long count = c.count.sum();
                double sum = c.sum.sum();
                long cumulative = 0;
                for (int i = 0; i < bounds.length; i++) {
                    cumulative += c.buckets[i].sum();
                    sample(out, name + "_bucket", labelNames, labels, format(bounds[i]), cumulative);
                }
                // +Inf holds every observation; under concurrent observes the buckets may run ahead of the count
                sample(out, name + "_bucket", labelNames, labels, "+Inf", Math.max(count, cumulative));
                sample(out, name + "_sum", labelNames, labels, null, sum);
                sample(out, name + "_count", labelNames, labels, null, Math.max(count, cumulative));
            });
        }
    }

    // ---- registration -----------------------------------------------------------------------------------------

    public Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(name, help, labelNames));
    }

    public Gauge gauge(String name, String help, String... labelNames) {
        return register(new Gauge(name, help, labelNames));
    }

    public Histogram histogram(String name, String help, double[] bucketBounds, String... labelNames) {
        return register(new Histogram(name, help, bucketBounds, labelNames));
    }

    /**
     * A gauge family computed at each scrape. When the callback throws, the family is written without samples
     * and a comment says why (a scrape never fails because one source is down).
     */
    public void gaugeCallback(String name, String help, Supplier<List<Sample>> samples, String... labelNames) {
        register(new Callback(name, help, "gauge", labelNames, samples));
    }

    /** A counter family read at each scrape from a count kept elsewhere (e.g. a JVM bean). */
    public void counterCallback(String name, String help, Supplier<List<Sample>> samples, String... labelNames) {
        register(new Callback(name, help, "counter", labelNames, samples));
    }

    private <F extends Family> F register(F family) {
        if (!METRIC_NAME.matcher(family.name).matches()) {
            throw new IllegalArgumentException("'" + family.name + "' is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        for (String l : family.labelNames) {
            if (!LABEL_NAME.matcher(l).matches() || l.startsWith("__")) {
                throw new IllegalArgumentException(family.name + ": '" + l + "' is not a valid label name");
            }
        }
        synchronized (families) {
            if (families.containsKey(family.name)) {
                throw new IllegalArgumentException("metric " + family.name + " is already registered");
            }
            families.put(family.name, family);
        }
        return family;
    }

    /** The whole registry in the text exposition format, families in registration order. */
    public String scrape() {
        List<Family> snapshot;
        synchronized (families) {
            snapshot = new ArrayList<>(families.values());
        }
        StringBuilder out = new StringBuilder(4096);
        for (Family f : snapshot) {
            out.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            if (f instanceof Callback cb) {
                List<Sample> samples;
                try {
                    samples = cb.samples.get();
                } catch (RuntimeException e) {
                    out.append("# ").append(f.name).append(" not collected: ")
                            .append(escapeHelp(String.valueOf(e.getMessage()))).append('\n');
                    continue;
                }
                for (Sample s : samples) {
                    if (s.labelValues().size() != f.labelNames.size()) {
                        throw new IllegalStateException(f.name + " has labels " + f.labelNames + "; a sample has "
                                + s.labelValues());
                    }
                    sample(out, f.name, f.labelNames, s.labelValues(), null, s.value());
                }
            } else {
                f.write(out);
            }
        }
        return out.toString();
    }

    private static <V> Map<List<String>, V> sorted(Map<List<String>, V> children) {
        Map<List<String>, V> m = new java.util.TreeMap<>((a, b) -> {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c = a.get(i).compareTo(b.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        });
        m.putAll(children);
        return m;
    }

    private static void sample(StringBuilder out, String name, List<String> labelNames, List<String> labelValues,
                               String le, double value) {
        out.append(name);
        if (!labelNames.isEmpty() || le != null) {
            out.append('{');
            for (int i = 0; i < labelNames.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labelNames.get(i)).append("=\"").append(escapeLabel(labelValues.get(i))).append('"');
            }
            if (le != null) {
                if (!labelNames.isEmpty()) {
                    out.append(',');
                }
                out.append("le=\"").append(le).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
    }

    /** Go-parsable numbers: integers without a fraction, NaN, +Inf, -Inf. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String escapeLabel(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
