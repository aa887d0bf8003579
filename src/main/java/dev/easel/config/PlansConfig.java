package dev.easel.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.domain.quota.InvalidPlanException;
import dev.easel.domain.quota.PeriodMode;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.PlanField;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads config/plans.yaml: the plans every guild starts with. Layout:
 *
 * <pre>
 * defaultPlan: free          # plan of members nothing else applies to (a base plan)
 * periods: anniversary       # anniversary | calendar
 * plans:
 *   free:                    # the plan's name (a-z 0-9 - _)
 *     images: 25             # fields as in {@link PlanField}
 *     ...
 * </pre>
 *
 * Plan fields use the same parser and messages as admin edits ({@link PlanField#create}). Any mistake
 * is an {@link IOException} naming the file and the path to the bad key, e.g.
 * {@code "config/plans.yaml: plans.basic.maxQueued: must be at least maxRunning (3) …"}.
 */
public final class PlansConfig {
    private static final Set<String> TOP_KEYS = Set.of("defaultPlan", "periods", "plans");

    private PlansConfig() {
    }

    /** Reads and checks the file. */
    public static PlanDefaults load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": plans file not found");
        }
        return parse(file.toString(), Files.readString(file));
    }

    /** Parses and checks YAML text; {@code source} names it in messages. */
    public static PlanDefaults parse(String source, String yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        JsonNode root;
        try {
            root = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IOException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(source + ": expected a mapping with keys defaultPlan, periods and plans");
        }
        for (Map.Entry<String, JsonNode> top : root.properties()) {
            String key = top.getKey();
            if (!TOP_KEYS.contains(key)) {
                throw new IOException(source + ": " + key + ": unknown key; expected defaultPlan, periods and plans");
            }
        }
        JsonNode plansNode = root.get("plans");
        if (plansNode == null || !plansNode.isObject() || plansNode.isEmpty()) {
            throw new IOException(source + ": plans: expected a mapping of plan name to fields, with at least one plan");
        }
        List<Plan> plans = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : plansNode.properties()) {
            plans.add(plan(source, e.getKey(), e.getValue()));
        }
        PeriodMode periods = PeriodMode.ANNIVERSARY;
        JsonNode periodsNode = root.get("periods");
        if (periodsNode != null) {
            String v = scalar(source, "periods", periodsNode);
            try {
                periods = PeriodMode.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw new IOException(source + ": periods: expected anniversary or calendar (got '" + v + "')");
            }
        }
        JsonNode defaultNode = root.get("defaultPlan");
        String defaultPlan = defaultNode == null ? null : scalar(source, "defaultPlan", defaultNode);
        try {
            return new PlanDefaults(plans, defaultPlan, periods);
        } catch (InvalidPlanException ex) {
            throw new IOException(source + ": " + ex.getMessage(), ex);
        }
    }

    private static Plan plan(String source, String name, JsonNode node) throws IOException {
        String path = "plans." + name;
        if (node == null || !node.isObject()) {
            throw new IOException(source + ": " + path + ": expected a mapping of field to value");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            fields.put(f.getKey(), scalar(source, path + "." + f.getKey(), f.getValue()));
        }
        try {
            return PlanField.create(name, fields);
        } catch (InvalidPlanException ex) {
            throw new IOException(source + ": " + path + "." + ex.field() + ": " + ex.problem(), ex);
        }
    }

    private static String scalar(String source, String path, JsonNode node) throws IOException {
        if (node == null || node.isNull()) {
            throw new IOException(source + ": " + path + ": has no value");
        }
        if (!node.isValueNode()) {
            throw new IOException(source + ": " + path + ": expected a single value, not a "
                    + (node.isArray() ? "list" : "mapping"));
        }
        return node.asText();
    }
}
