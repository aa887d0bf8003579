package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates REST requests (and the stand-in's own responses) against Discord's OpenAPI 3.1 description
 * ({@code src/test/resources/discord/openapi.json}, API v10) with networknt json-schema-validator, draft 2020-12.
 *
 * <p>What is checked for a request: that some path template and method of the description match; every path
 * parameter against its schema (snowflakes are decimal strings); every query parameter is declared and its value
 * matches; the body against the operation's {@code application/json} schema, or for {@code multipart/form-data}
 * the {@code payload_json} part against that same schema and the part names ({@code files[0]} … {@code files[9]},
 * {@code payload_json}).
 *
 * <p>Known gaps of the description, handled narrowly here:
 * <ul>
 *   <li>{@code MessageAttachmentRequest.id} is a {@code SnowflakeType} (string only), but upload placeholders are
 *       sent as integers ({@code "attachments":[{"id":0}]}) by JDA and in Discord's own documentation: integers
 *       &ge; 0 are accepted for that one property.</li>
 *   <li>Command {@code contexts} and {@code integration_types} are integer enums in the description, but JDA 6.5
 *       sends them as numeric strings ({@code "contexts":["0","1"]}), which Discord accepts: in the three command
 *       request schemas, strings naming an allowed value are accepted too.</li>
 *   <li>Command {@code default_member_permissions} is an integer in the request schemas, but a string in the
 *       response schema and in Discord's documentation ("a permission bit set" as a string), and JDA 6.5 sends a
 *       string ({@code "32"}): in the three command request schemas, strings of decimal digits are accepted too.</li>
 *   <li>{@code wait} and {@code with_response} are sent where the description does not declare them (e.g.
 *       {@code wait} on the {@code @original} PATCH): these two are ignored when undeclared; any other undeclared
 *       query parameter is a violation.</li>
 *   <li>Multipart bodies are only partly described: the parts are parsed and {@code payload_json} is validated.</li>
 * </ul>
 * Almost no schema of the description forbids unknown properties, so a misspelt optional field passes.
 */
public final class OpenApiValidator {
    /** Undeclared query parameters that clients legitimately send (see class comment). */
    public static final Set<String> IGNORED_UNDECLARED_QUERY = Set.of("wait", "with_response");

    private static final String BASE = "https://discord.test/openapi.json";
    private static final String RESOURCE = "/discord/openapi.json";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Command request schemas whose {@code contexts}/{@code integration_types} JDA sends as numeric strings. */
    private static final List<String> COMMAND_REQUESTS = List.of("ApplicationCommandCreateRequest",
            "ApplicationCommandUpdateRequest", "ApplicationCommandPatchRequestPartial");
    private static volatile OpenApiValidator shared;

    private final List<PathTemplate> templates = new ArrayList<>();
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    /** One operation of the description. */
    public record Operation(
            String method,
            String template,
            String operationId,
            Map<String, Param> parameters,
            Map<String, String> bodySchemaKeys,
            boolean bodyRequired,
            Map<String, String> responseSchemaKeys) {
    }

    /** One declared parameter; {@code schemaKey} names its schema in the validator's schema document. */
    public record Param(String name, String in, boolean required, String schemaKey, JsonNode schema) {
    }

    /** A path of the description, split into segments; {@code {name}} segments are parameters. */
    private record PathTemplate(String template, List<String> segments, int literals, Map<String, Operation> operations) {
        Map<String, String> match(List<String> actual) {
            if (actual.size() != segments.size()) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segments.size(); i++) {
                String s = segments.get(i);
                if (s.startsWith("{") && s.endsWith("}")) {
                    if (actual.get(i).isEmpty()) {
                        return null;
                    }
                    params.put(s.substring(1, s.length() - 1), actual.get(i));
                } else if (!s.equals(actual.get(i))) {
                    return null;
                }
            }
            return params;
        }
    }

    /** A request path resolved to its template, operation (null if the method is not defined) and parameters. */
    public record Match(String template, Operation operation, Map<String, String> pathParameters) {
    }

    /** The validator for the bundled description, built once per JVM (parsing the 1.2 MB file takes ~1 s). */
    public static OpenApiValidator shared() {
        OpenApiValidator v = shared;
        if (v == null) {
            synchronized (OpenApiValidator.class) {
                v = shared;
                if (v == null) {
                    try (InputStream in = OpenApiValidator.class.getResourceAsStream(RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException(RESOURCE + " is missing from the test classpath");
                        }
                        v = new OpenApiValidator(MAPPER.readTree(in));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + RESOURCE, e);
                    }
                    shared = v;
                }
            }
        }
        return v;
    }

    /** Builds a validator for an OpenAPI 3.1 document (with Discord's layout: {@code paths}, {@code components}). */
    public OpenApiValidator(JsonNode spec) {
        if (!spec.path("openapi").asText("").startsWith("3.1")) {
            throw new IllegalArgumentException("expected an OpenAPI 3.1 document, got openapi=" + spec.path("openapi"));
        }
        JsonNodeFactory nf = JsonNodeFactory.instance;
        ObjectNode root = nf.objectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$id", BASE);
        ObjectNode components = spec.get("components").deepCopy();
        patchKnownGaps(components);
        root.set("components", components);
        ObjectNode defs = root.putObject("$defs");

        int opIndex = 0;
        Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").properties().iterator();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> pathEntry = paths.next();
            String template = pathEntry.getKey();
            JsonNode pathItem = pathEntry.getValue();
            Map<String, Operation> ops = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = pathItem.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String method = f.getKey();
                if (!METHODS.contains(method)) {
                    continue;
                }
                JsonNode op = f.getValue();
                String prefix = "op" + (opIndex++);
                Map<String, Param> params = new LinkedHashMap<>();
                for (JsonNode p : concat(pathItem.path("parameters"), op.path("parameters"))) {
                    String in = p.path("in").asText();
                    String name = p.path("name").asText();
                    String key = prefix + "_" + in + "_" + sanitize(name);
                    JsonNode schema = p.has("schema") ? p.get("schema") : nf.objectNode();
                    defs.set(key, schema.deepCopy());
                    params.put(in + ":" + name, new Param(name, in, p.path("required").asBoolean(false), key, schema));
                }
                Map<String, String> bodyKeys = new LinkedHashMap<>();
                JsonNode rb = op.path("requestBody");
                Iterator<Map.Entry<String, JsonNode>> contents = rb.path("content").properties().iterator();
                while (contents.hasNext()) {
                    Map.Entry<String, JsonNode> c = contents.next();
                    String key = prefix + "_body_" + sanitize(c.getKey());
                    defs.set(key, c.getValue().path("schema").deepCopy());
                    bodyKeys.put(c.getKey(), key);
                }
                Map<String, String> responseKeys = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> responses = op.path("responses").properties().iterator();
                while (responses.hasNext()) {
                    Map.Entry<String, JsonNode> r = responses.next();
                    JsonNode response = r.getValue();
                    if (response.has("$ref")) {
                        response = resolveLocal(spec, response.get("$ref").asText());
                    }
                    JsonNode schema = response.path("content").path("application/json").path("schema");
                    if (!schema.isMissingNode()) {
                        String key = prefix + "_response_" + sanitize(r.getKey());
                        defs.set(key, schema.deepCopy());
                        responseKeys.put(r.getKey(), key);
                    }
                }
                String m = method.toUpperCase(Locale.ROOT);
                ops.put(m, new Operation(m, template, op.path("operationId").asText(), params, bodyKeys,
                        rb.path("required").asBoolean(false), responseKeys));
            }
            List<String> segments = segments(template);
            int literals = (int) segments.stream().filter(s -> !s.startsWith("{")).count();
            templates.add(new PathTemplate(template, segments, literals, ops));
        }
        // Most specific first: "/webhooks/{id}/{token}/messages/@original" before ".../messages/{message_id}".
        templates.sort(Comparator.comparingInt((PathTemplate t) -> t.literals).reversed());

        String document = root.toString();
        // "components" holds the referenced schemas; "x-discord-union" is an annotation of the description.
        JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keyword(new NonValidationKeyword("components"))
                .keyword(new NonValidationKeyword("x-discord-union"))
                .build();
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                b -> b.metaSchema(meta).schemaLoaders(l -> l.schemas(Map.of(BASE, document))));
        // English messages whatever the JVM locale, so tests and reports read the same everywhere.
        this.config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_PATH).locale(Locale.ENGLISH).build();
    }

    /**
     * JDA (and Discord's documentation) send upload placeholders as integers; the description only allows
     * snowflake strings. Accept non-negative integers for that one property.
     */
    private static void patchKnownGaps(ObjectNode components) {
        JsonNode schemas = components.path("schemas");
        JsonNode attachment = schemas.path("MessageAttachmentRequest").path("properties");
        if (attachment instanceof ObjectNode props && props.has("id")) {
            ObjectNode integer = JsonNodeFactory.instance.objectNode().put("type", "integer").put("minimum", 0);
            props.set("id", anyOf(props.get("id"), integer));
        }
        for (String request : COMMAND_REQUESTS) {
            JsonNode props = schemas.path(request).path("properties");
            if (props instanceof ObjectNode o && o.has("default_member_permissions")) {
                ObjectNode digits = JsonNodeFactory.instance.objectNode().put("type", "string")
                        .put("pattern", "^[0-9]{1,20}$");
                o.set("default_member_permissions", anyOf(o.get("default_member_permissions"), digits));
            }
            for (String property : List.of("contexts", "integration_types")) {
                JsonNode p = schemas.path(request).path("properties").path(property);
                if (p instanceof ObjectNode array && array.has("items")) {
                    JsonNode items = array.get("items");
                    String target = items.path("$ref").asText("");
                    JsonNode enumSchema = schemas.path(target.substring(target.lastIndexOf('/') + 1));
                    ObjectNode numericString = JsonNodeFactory.instance.objectNode().put("type", "string");
                    ArrayNode values = numericString.putArray("enum");
                    enumSchema.path("oneOf").forEach(c -> values.add(c.path("const").asText()));
                    array.set("items", anyOf(items, numericString));
                }
            }
        }
    }

    private static ObjectNode anyOf(JsonNode a, JsonNode b) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.putArray("anyOf").add(a).add(b);
        return n;
    }

    /** Resolves a request path (below the API base, decoded segments) to its template and operation. */
    public Optional<Match> match(String method, String path) {
        List<String> actual = segments(path);
        Match withoutMethod = null;
        for (PathTemplate t : templates) {
            Map<String, String> params = t.match(actual);
            if (params == null) {
                continue;
            }
            Operation op = t.operations.get(method.toUpperCase(Locale.ROOT));
            if (op != null) {
                return Optional.of(new Match(t.template, op, params));
            }
            if (withoutMethod == null) {
                withoutMethod = new Match(t.template, null, params);
            }
        }
        return Optional.ofNullable(withoutMethod);
    }

    /** Whether a template exists in the description (e.g. {@code /channels/{channel_id}/messages}). */
    public boolean hasRoute(String method, String template) {
        return templates.stream().anyMatch(t -> t.template.equals(template)
                && t.operations.containsKey(method.toUpperCase(Locale.ROOT)));
    }

    /** All violations of one request; empty when it conforms. */
    public List<Violation> validateRequest(RestRequest request) {
        List<Violation> out = new ArrayList<>();
        String shown = request.pathWithQuery();
        Optional<Match> found = match(request.method(), request.path());
        if (found.isEmpty()) {
            out.add(new Violation(Violation.Kind.UNKNOWN_ROUTE, request.method(), shown, null, "route",
                    "no path of Discord's API matches " + request.path(), null, List.of()));
            return out;
        }
        Match m = found.get();
        if (m.operation() == null) {
            out.add(new Violation(Violation.Kind.UNKNOWN_METHOD, request.method(), shown, m.template(), "route",
                    "path exists but not with method " + request.method(), null, List.of()));
            return out;
        }
        Operation op = m.operation();

        for (Map.Entry<String, String> e : m.pathParameters().entrySet()) {
            Param p = op.parameters().get("path:" + e.getKey());
            if (p == null) {
                continue;
            }
            JsonNode value = JsonNodeFactory.instance.textNode(e.getValue());
            addSchemaViolations(out, Violation.Kind.PATH_PARAMETER, request, m, "path." + e.getKey(), p.schemaKey(), value);
        }

        for (Map.Entry<String, List<String>> e : request.query().entrySet()) {
            Param p = op.parameters().get("query:" + e.getKey());
            if (p == null) {
                if (!IGNORED_UNDECLARED_QUERY.contains(e.getKey())) {
                    out.add(new Violation(Violation.Kind.QUERY_PARAMETER, request.method(), shown, m.template(),
                            "query." + e.getKey(), "query parameter '" + e.getKey()
                            + "' is not declared for " + op.operationId() + " (declared: " + declaredQuery(op) + ")",
                            null, List.of()));
                }
                continue;
            }
            for (String raw : e.getValue()) {
                addSchemaViolations(out, Violation.Kind.QUERY_PARAMETER, request, m, "query." + e.getKey(),
                        p.schemaKey(), coerceQuery(raw, p.schema()));
            }
        }
        for (Param p : op.parameters().values()) {
            if (p.in().equals("query") && p.required() && !request.query().containsKey(p.name())) {
                out.add(new Violation(Violation.Kind.QUERY_PARAMETER, request.method(), shown, m.template(),
                        "query." + p.name(), "required query parameter '" + p.name() + "' is missing", null, List.of()));
            }
        }

        validateBody(out, request, m);
        return out;
    }

    private void validateBody(List<Violation> out, RestRequest request, Match m) {
        Operation op = m.operation();
        String shown = request.pathWithQuery();
        boolean hasBody = request.body().length > 0;
        if (op.bodySchemaKeys().isEmpty()) {
            if (hasBody) {
                out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(), "body",
                        op.operationId() + " takes no request body, got " + request.body().length + " bytes of "
                                + request.contentType(), null, List.of()));
            }
            return;
        }
        if (!hasBody) {
            if (op.bodyRequired()) {
                out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(), "body",
                        op.operationId() + " requires a body (" + op.bodySchemaKeys().keySet() + ")", null, List.of()));
            }
            return;
        }
        String ct = request.contentType();
        if (ct == null || !op.bodySchemaKeys().containsKey(ct)) {
            out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(), "body",
                    "content type " + ct + " is not accepted by " + op.operationId() + " (accepted: "
                            + op.bodySchemaKeys().keySet() + ")", null, List.of()));
            return;
        }
        // The JSON schema describes payload_json too; the multipart variant only adds files[n].
        String jsonKey = op.bodySchemaKeys().getOrDefault("application/json", op.bodySchemaKeys().get(ct));
        if (ct.equals("multipart/form-data")) {
            Set<String> seen = new LinkedHashSet<>();
            for (RestRequest.MultipartPart part : request.parts()) {
                if (!seen.add(part.name())) {
                    out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(),
                            "multipart", "part '" + part.name() + "' appears twice", null, List.of()));
                } else if (!part.name().equals("payload_json") && !part.name().matches("files\\[[0-9]]")) {
                    out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(),
                            "multipart", "unexpected part '" + part.name()
                                    + "' (allowed: payload_json, files[0] … files[9])", null, List.of()));
                }
            }
            if (request.json() == null) {
                boolean hasPayload = request.parts().stream().anyMatch(p -> p.name().equals("payload_json"));
                if (hasPayload) {
                    out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(),
                            "payload_json", "payload_json is not valid JSON", null, List.of()));
                }
                return;
            }
            addSchemaViolations(out, Violation.Kind.REQUEST_BODY, request, m, "payload_json", jsonKey, request.json());
            return;
        }
        if (request.json() == null) {
            out.add(new Violation(Violation.Kind.REQUEST_BODY, request.method(), shown, m.template(), "body",
                    "body is not valid JSON", null, List.of()));
            return;
        }
        addSchemaViolations(out, Violation.Kind.REQUEST_BODY, request, m, "body", jsonKey, request.json());
    }

    /**
     * Validates a JSON response of the stand-in against the schema the description declares for that status
     * (exact code, then {@code 2XX}-style ranges); statuses without a JSON schema are not checked.
     */
    public List<Violation> validateResponse(RestRequest request, int status, JsonNode body) {
        List<Violation> out = new ArrayList<>();
        Optional<Match> found = match(request.method(), request.path());
        if (found.isEmpty() || found.get().operation() == null || body == null) {
            return out;
        }
        Match m = found.get();
        Map<String, String> keys = m.operation().responseSchemaKeys();
        String key = keys.get(Integer.toString(status));
        if (key == null) {
            key = keys.get((status / 100) + "XX");
        }
        if (key != null) {
            addSchemaViolations(out, Violation.Kind.FAKE_RESPONSE, request, m, "response " + status, key, body);
        }
        return out;
    }

    /** Validates {@code value} against the named component schema, e.g. {@code MessageResponse}. */
    public List<String> validateComponent(String componentName, JsonNode value) {
        JsonSchema schema = schemas.computeIfAbsent("#/components/schemas/" + componentName,
                loc -> factory.getSchema(SchemaLocation.of(BASE + loc), config));
        return schema.validate(value).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private void addSchemaViolations(List<Violation> out, Violation.Kind kind, RestRequest request, Match m,
                                     String location, String schemaKey, JsonNode value) {
        JsonSchema schema = schemas.computeIfAbsent(schemaKey,
                k -> factory.getSchema(SchemaLocation.of(BASE + "#/$defs/" + k), config));
        Set<ValidationMessage> messages = schema.validate(value);
        if (messages.isEmpty()) {
            return;
        }
        List<ValidationMessage> focus = focus(messages);
        String message = summarize(focus);
        String schemaLocation = readableSchemaLocation(focus.get(0), schemaKey, m);
        List<String> details = messages.stream()
                .map(v -> v.getMessage() + "  [" + readableSchemaLocation(v, schemaKey, m) + "]")
                .sorted().toList();
        out.add(new Violation(kind, request.method(), request.pathWithQuery(), m.template(), location, message,
                schemaLocation, details));
    }

    /**
     * Picks the messages that name the actual problem out of a union's output. For every failed
     * {@code oneOf}/{@code anyOf}, a branch whose schema does not even apply is dropped with everything under it:
     * the object's {@code "type"} discriminator misses the branch's enum/const (Discord's component and callback
     * unions), or the instance has the wrong JSON type (the {@code {"type":"null"}} branch of nullable fields).
     * The union summaries go too while anything else remains; then the deepest instance locations win.
     */
    private static List<ValidationMessage> focus(Collection<ValidationMessage> messages) {
        List<List<Object>> rejected = new ArrayList<>();
        for (ValidationMessage m : messages) {
            List<Object> branch = rejectedBranch(m);
            if (branch != null) {
                rejected.add(branch);
            }
        }
        List<ValidationMessage> applicable = messages.stream().filter(m -> {
            List<Object> path = elements(m.getEvaluationPath());
            return rejected.stream().noneMatch(b -> path.size() >= b.size() && path.subList(0, b.size()).equals(b));
        }).toList();
        List<ValidationMessage> specific = applicable.stream().filter(m -> !isUnion(m)).toList();
        List<ValidationMessage> pool = !specific.isEmpty() ? specific
                // Every branch was rejected: report the discriminator misses themselves.
                : messages.stream().filter(m -> !isUnion(m)).toList();
        if (pool.isEmpty()) {
            pool = List.copyOf(messages);
        }
        int depth = pool.stream().mapToInt(v -> v.getInstanceLocation().getNameCount()).max().orElse(0);
        return pool.stream().filter(v -> v.getInstanceLocation().getNameCount() == depth)
                .sorted(Comparator.comparing(ValidationMessage::getMessage)).toList();
    }

    /**
     * The evaluation path of the union branch ({@code …oneOf/n} or {@code …anyOf/n}) that {@code m} shows not to
     * apply, or null. A branch does not apply when, reached only through {@code $ref}/{@code allOf} hops, either its
     * {@code type} property's enum/const misses, or its own JSON {@code type} keyword fails.
     */
    private static List<Object> rejectedBranch(ValidationMessage m) {
        boolean choice = isChoice(m);
        boolean jsonType = m.getType().equals("type");
        if (!choice && !jsonType) {
            return null;
        }
        List<Object> path = elements(m.getEvaluationPath());
        for (int i = path.size() - 2; i >= 0; i--) {
            Object e = path.get(i);
            if ((e.equals("oneOf") || e.equals("anyOf")) && path.get(i + 1) instanceof Integer) {
                List<Object> tail = path.subList(i + 2, path.size());
                int k = 0;
                while (k < tail.size() && (tail.get(k).equals("$ref") || tail.get(k).equals("allOf")
                        || tail.get(k) instanceof Integer)) {
                    k++;
                }
                List<Object> rest = tail.subList(k, tail.size());
                boolean discriminator = choice && rest.size() >= 3 && rest.get(0).equals("properties")
                        && rest.get(1).equals("type") && rest.subList(2, rest.size()).stream()
                        .allMatch(x -> x.equals("enum") || x.equals("const") || x.equals("allOf")
                                || x.equals("$ref") || x.equals("oneOf") || x instanceof Integer);
                boolean ownType = jsonType && rest.equals(List.of("type"));
                return discriminator || ownType ? new ArrayList<>(path.subList(0, i + 2)) : null;
            }
        }
        return null;
    }

    /**
     * One part per instance location; several {@code const}/{@code enum} misses at one place (an enum written as
     * oneOf/const, or a union's discriminators) read "must be one of [..], got X".
     */
    private static String summarize(List<ValidationMessage> focus) {
        Map<String, List<ValidationMessage>> byLocation = new LinkedHashMap<>();
        focus.forEach(v -> byLocation.computeIfAbsent(v.getInstanceLocation().toString(), k -> new ArrayList<>()).add(v));
        List<String> parts = new ArrayList<>();
        byLocation.forEach((location, vs) -> {
            List<String> allowed = new ArrayList<>();
            vs.stream().filter(OpenApiValidator::isChoice).forEach(v -> {
                JsonNode n = v.getSchemaNode();
                if (n != null && n.isArray()) {
                    n.forEach(x -> allowed.add(x.toString()));
                } else {
                    allowed.add(String.valueOf(n));
                }
            });
            List<String> distinctAllowed = allowed.stream().distinct().sorted(OpenApiValidator::naturalOrder).toList();
            List<String> others = vs.stream().filter(v -> !isChoice(v))
                    .map(v -> stripLocation(v, location)).distinct().toList();
            StringBuilder sb = new StringBuilder(location).append(": ");
            if (distinctAllowed.size() > 1) {
                sb.append("must be one of ").append(distinctAllowed).append(", got ").append(vs.get(0).getInstanceNode());
                others.forEach(o -> sb.append(" (").append(o).append(')'));
            } else {
                sb.append(String.join("; ", vs.stream().map(v -> stripLocation(v, location)).distinct().toList()));
            }
            parts.add(sb.toString());
        });
        return String.join(" | ", parts);
    }

    private static String stripLocation(ValidationMessage v, String location) {
        String m = v.getMessage();
        return m.startsWith(location + ": ") ? m.substring(location.length() + 2) : m;
    }

    private static boolean isChoice(ValidationMessage v) {
        return v.getType().equals("const") || v.getType().equals("enum");
    }

    /** Numbers by value, then everything else as text. */
    private static int naturalOrder(String a, String b) {
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    private static boolean isUnion(ValidationMessage v) {
        return v.getType().equals("oneOf") || v.getType().equals("anyOf");
    }

    private static List<Object> elements(com.networknt.schema.JsonNodePath path) {
        List<Object> out = new ArrayList<>(path.getNameCount());
        for (int i = 0; i < path.getNameCount(); i++) {
            out.add(path.getElement(i));
        }
        return out;
    }

    private static String readableSchemaLocation(ValidationMessage v, String schemaKey, Match m) {
        SchemaLocation loc = v.getSchemaLocation();
        if (loc == null) {
            return null;
        }
        String s = loc.toString();
        int hash = s.indexOf('#');
        String fragment = hash >= 0 ? s.substring(hash) : s;
        String ownPrefix = "#/$defs/" + schemaKey;
        if (fragment.startsWith(ownPrefix)) {
            return "(" + m.operation().operationId() + ")" + fragment.substring(ownPrefix.length());
        }
        return fragment;
    }

    private static JsonNode coerceQuery(String raw, JsonNode schema) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        String type = primaryType(schema);
        switch (type) {
            case "boolean":
                if (raw.equals("true") || raw.equals("false")) {
                    return nf.booleanNode(Boolean.parseBoolean(raw));
                }
                return nf.textNode(raw);
            case "integer":
                try {
                    return nf.numberNode(Long.parseLong(raw));
                } catch (NumberFormatException e) {
                    return nf.textNode(raw);
                }
            case "number":
                try {
                    return nf.numberNode(Double.parseDouble(raw));
                } catch (NumberFormatException e) {
                    return nf.textNode(raw);
                }
            case "array": {
                ArrayNode a = nf.arrayNode();
                for (String item : raw.split(",")) {
                    a.add(coerceQuery(item, schema.path("items")));
                }
                return a;
            }
            default:
                return nf.textNode(raw);
        }
    }

    /** The first non-null JSON type a (simple) parameter schema allows; "string" when unclear or a $ref. */
    private static String primaryType(JsonNode schema) {
        JsonNode t = schema.path("type");
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isArray()) {
            for (JsonNode x : t) {
                if (!x.asText().equals("null")) {
                    return x.asText();
                }
            }
        }
        return "string";
    }

    private static String declaredQuery(Operation op) {
        return op.parameters().values().stream().filter(p -> p.in().equals("query")).map(Param::name).toList().toString();
    }

    private static JsonNode resolveLocal(JsonNode doc, String ref) {
        JsonNode n = doc;
        for (String part : ref.substring(2).split("/")) {
            n = n.path(part.replace("~1", "/").replace("~0", "~"));
        }
        return n;
    }

    private static List<JsonNode> concat(JsonNode a, JsonNode b) {
        List<JsonNode> out = new ArrayList<>();
        a.forEach(out::add);
        b.forEach(out::add);
        return out;
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_]", "_");
    }

    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
