package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One REST request as {@link FakeDiscord} received it, parsed.
 *
 * @param sequence    position in the log, from 1
 * @param receivedAt  time of the stand-in's clock when the request arrived
 * @param method      HTTP method
 * @param path        decoded path below the API base, e.g. {@code /webhooks/123/tok/messages/@original}
 * @param route       the OpenAPI path template it matched, e.g. {@code /webhooks/{webhook_id}/{webhook_token}},
 *                    or {@code null} when it matched none
 * @param query       query parameters in order of appearance
 * @param headers     request headers, names in lower case
 * @param contentType media type without parameters ({@code application/json}, {@code multipart/form-data}) or
 *                    {@code null} without a body
 * @param body        raw body bytes (empty without a body)
 * @param json        the JSON body, or the parsed {@code payload_json} part of a multipart body, or {@code null}
 * @param parts       multipart parts in order ({@code files[n]} and {@code payload_json}); empty otherwise
 */
public record RestRequest(
        long sequence,
        Instant receivedAt,
        String method,
        String path,
        String route,
        Map<String, List<String>> query,
        Map<String, List<String>> headers,
        String contentType,
        byte[] body,
        JsonNode json,
        List<MultipartPart> parts) {

    /** One part of a {@code multipart/form-data} body. */
    public record MultipartPart(String name, String filename, String contentType, byte[] bytes) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public boolean isFile() {
            return name.startsWith("files[");
        }
    }

    public RestRequest {
        query = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(query));
        headers = Map.copyOf(headers);
        parts = List.copyOf(parts);
    }

    /** Path and query as sent, e.g. {@code /webhooks/1/t?wait=true}. */
    public String pathWithQuery() {
        if (query.isEmpty()) {
            return path;
        }
        StringBuilder sb = new StringBuilder(path).append('?');
        query.forEach((k, vs) -> vs.forEach(v -> sb.append(k).append('=').append(v).append('&')));
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** First value of a query parameter. */
    public Optional<String> queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** First value of a header (case-insensitive name). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public boolean isMultipart() {
        return "multipart/form-data".equals(contentType);
    }

    /** The {@code files[n]} part, if sent. */
    public Optional<MultipartPart> file(int n) {
        String name = "files[" + n + "]";
        return parts.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** All {@code files[n]} parts in order. */
    public List<MultipartPart> files() {
        return parts.stream().filter(MultipartPart::isFile).toList();
    }

    /** Whether this request is {@code method} on the OpenAPI route template {@code route}. */
    public boolean is(String method, String route) {
        return this.method.equalsIgnoreCase(method) && route.equals(this.route);
    }

    @Override
    public String toString() {
        return "#" + sequence + " " + method + " " + pathWithQuery()
                + (contentType == null ? "" : " [" + contentType + ", " + body.length + " bytes]");
    }
}
