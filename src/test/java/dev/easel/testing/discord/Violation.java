package dev.easel.testing.discord;

import java.util.List;

/**
 * One way in which a REST exchange with {@link FakeDiscord} departs from Discord's OpenAPI description, or
 * from what the stand-in can answer.
 *
 * @param kind           what went wrong
 * @param method         HTTP method of the request
 * @param path           request path below {@code /api/v10}, as sent (with its query string)
 * @param route          the OpenAPI path template the request matched, or {@code null} when none did
 * @param location       where in the request: {@code body}, {@code payload_json}, {@code query.wait},
 *                       {@code path.webhook_id}, {@code route}, {@code response} …
 * @param message        the main error, e.g. {@code $.components[0].components[0].custom_id: must be at most 100
 *                       characters long}
 * @param schemaLocation the schema keyword that failed, e.g.
 *                       {@code #/components/schemas/ButtonComponentForMessageRequest/properties/custom_id/maxLength}
 * @param details        every raw message from the schema validator, for union types ({@code anyOf}/{@code oneOf})
 *                       including the errors of the branches that did not apply
 */
public record Violation(
        Kind kind,
        String method,
        String path,
        String route,
        String location,
        String message,
        String schemaLocation,
        List<String> details) {

    /** Classes of violation. */
    public enum Kind {
        /** No path in the OpenAPI description matches the request path. */
        UNKNOWN_ROUTE,
        /** The path exists but not with this HTTP method. */
        UNKNOWN_METHOD,
        /** The JSON body (or multipart {@code payload_json}) does not match the request schema. */
        REQUEST_BODY,
        /** A query parameter is undeclared or its value does not match its schema. */
        QUERY_PARAMETER,
        /** A path parameter does not match its schema (e.g. a snowflake that is not a number). */
        PATH_PARAMETER,
        /** The route is in Discord's API but the stand-in does not implement it. */
        UNSUPPORTED_BY_FAKE,
        /** A response of the stand-in itself does not match Discord's response schema (a bug in the fake). */
        FAKE_RESPONSE,
        /** The stand-in threw while handling the request (a bug in the fake). */
        FAKE_ERROR
    }

    public Violation {
        details = List.copyOf(details);
    }

    /** A one-paragraph description naming the request, the place and the schema error. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(kind).append(": ").append(method).append(' ').append(path);
        if (route != null) {
            sb.append(" (route ").append(method).append(' ').append(route).append(')');
        }
        sb.append("\n    at ").append(location).append(": ").append(message);
        if (schemaLocation != null) {
            sb.append("\n    schema ").append(schemaLocation);
        }
        if (details.size() > 1) {
            sb.append("\n    all validator messages (").append(details.size()).append("):");
            for (String d : details) {
                sb.append("\n      - ").append(d);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
