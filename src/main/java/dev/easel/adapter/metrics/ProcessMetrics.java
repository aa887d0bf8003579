package dev.easel.adapter.metrics;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Memory of this process, read at each scrape: the JVM's heap and non-heap pools, the resident set size from
 * {@code /proc/self/status} (which includes libtorch's native tensors that the JVM does not see), the part of it
 * outside the JVM's pools, garbage collections, threads and CPU time; GPU memory when a reader is given.
 */
public final class ProcessMetrics {
    /** GPU memory as the CUDA runtime reports it (the composition root supplies one on GPU machines). */
    public interface GpuMemoryReader {
        record Reading(String device, long usedBytes, long totalBytes) {
        }

        List<Reading> read();
    }

    private ProcessMetrics() {
    }

    /**
     * @param procStatus {@code /proc/self/status} (a file in tests); missing = RSS families without samples
     * @param gpu        null when there is no GPU
     */
    public static void register(MetricsRegistry registry, Path procStatus, GpuMemoryReader gpu) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        registry.gaugeCallback("easel_jvm_memory_bytes",
                "JVM memory by area (heap, nonheap) and kind (used, committed, max; max only when bounded).", () -> {
                    List<MetricsRegistry.Sample> s = new ArrayList<>();
                    add(s, "heap", memory.getHeapMemoryUsage());
                    add(s, "nonheap", memory.getNonHeapMemoryUsage());
                    return s;
                }, "area", "kind");
        registry.gaugeCallback("process_resident_memory_bytes",
                "Resident set size of the process (VmRSS): JVM, native libraries and libtorch tensors.",
                () -> one(status(procStatus, "VmRSS")));
        registry.gaugeCallback("easel_process_resident_memory_peak_bytes",
                "Peak resident set size of the process (VmHWM).", () -> one(status(procStatus, "VmHWM")));
        registry.gaugeCallback("easel_process_native_memory_bytes",
                "Resident memory outside the JVM's heap and non-heap pools (VmRSS minus their committed size):"
                        + " mostly libtorch tensors and native libraries.", () -> {
                    OptionalLong rss = status(procStatus, "VmRSS");
                    if (rss.isEmpty()) {
                        return List.of();
                    }
                    long jvm = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
                    return List.of(MetricsRegistry.Sample.of(Math.max(0, rss.getAsLong() - jvm)));
                });
        registry.gaugeCallback("easel_jvm_threads", "Live JVM threads.",
                () -> List.of(MetricsRegistry.Sample.of(ManagementFactory.getThreadMXBean().getThreadCount())));
        registry.counterCallback("easel_jvm_gc_collections_total", "Garbage collections by collector.", () -> {
            List<MetricsRegistry.Sample> s = new ArrayList<>();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                s.add(MetricsRegistry.Sample.of(Math.max(0, gc.getCollectionCount()), gc.getName()));
            }
            return s;
        }, "gc");
        registry.counterCallback("easel_jvm_gc_seconds_total", "Time spent in garbage collection by collector.", () -> {
            List<MetricsRegistry.Sample> s = new ArrayList<>();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                s.add(MetricsRegistry.Sample.of(Math.max(0, gc.getCollectionTime()) / 1000.0, gc.getName()));
            }
            return s;
        }, "gc");
        registry.counterCallback("process_cpu_seconds_total", "CPU time used by the process.", () -> {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    && os.getProcessCpuTime() >= 0) {
                return List.of(MetricsRegistry.Sample.of(os.getProcessCpuTime() / 1e9));
            }
            return List.of();
        });
        if (gpu != null) {
            registry.gaugeCallback("easel_gpu_memory_bytes",
                    "GPU memory by device and kind (used, total) as the CUDA runtime reports it.", () -> {
                        List<MetricsRegistry.Sample> s = new ArrayList<>();
                        for (GpuMemoryReader.Reading r : gpu.read()) {
                            s.add(MetricsRegistry.Sample.of(r.usedBytes(), r.device(), "used"));
                            s.add(MetricsRegistry.Sample.of(r.totalBytes(), r.device(), "total"));
                        }
                        return s;
                    }, "device", "kind");
        }
    }

    private static void add(List<MetricsRegistry.Sample> s, String area, MemoryUsage u) {
        s.add(MetricsRegistry.Sample.of(u.getUsed(), area, "used"));
        s.add(MetricsRegistry.Sample.of(u.getCommitted(), area, "committed"));
        if (u.getMax() >= 0) {
            s.add(MetricsRegistry.Sample.of(u.getMax(), area, "max"));
        }
    }

    private static List<MetricsRegistry.Sample> one(OptionalLong v) {
        return v.isPresent() ? List.of(MetricsRegistry.Sample.of(v.getAsLong())) : List.of();
    }

    /** A "Key:   123 kB" line of /proc/self/status, in bytes. */
    static OptionalLong status(Path file, String key) {
        Map<String, String> fields = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        String v = fields.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        String[] parts = v.split("\\s+");
        try {
            long n = Long.parseLong(parts[0]);
            // the kernel writes these sizes in kB (units of 1024 bytes)
            return OptionalLong.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? n * 1024 : n);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
