package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OpenApiValidator} against hand-written requests: what passes, what is reported and how. */
class OpenApiValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiValidator VALIDATOR = OpenApiValidator.shared();
    private static final String BUTTON_ROW = "{\"type\":1,\"components\":[{\"type\":2,\"style\":1,\"label\":\"U1\","
            + "\"custom_id\":\"%s\"}]}";

    private static RestRequest json(String method, String path, Map<String, List<String>> query, String body)
            throws Exception {
        JsonNode json = body == null ? null : JSON.readTree(body);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return new RestRequest(1, Instant.EPOCH, method, path, null, query, Map.of(),
                body == null ? null : "application/json", bytes, json, List.of());
    }

    private static RestRequest multipart(String method, String path, String payloadJson, String... extraPartNames)
            throws Exception {
        List<RestRequest.MultipartPart> parts = new java.util.ArrayList<>();
        parts.add(new RestRequest.MultipartPart("files[0]", "grid.png", "image/png", new byte[] {1, 2, 3}));
        for (String name : extraPartNames) {
            parts.add(new RestRequest.MultipartPart(name, null, null, new byte[] {4}));
        }
        parts.add(new RestRequest.MultipartPart("payload_json", null, "application/json",
                payloadJson.getBytes(StandardCharsets.UTF_8)));
        return new RestRequest(1, Instant.EPOCH, method, path, null, Map.of("wait", List.of("true")), Map.of(),
                "multipart/form-data", new byte[] {1}, JSON.readTree(payloadJson), parts);
    }

    @Test
    void conformingFollowUpWithIntegerAttachmentPlaceholderPasses() throws Exception {
        String body = "{\"content\":\"grid\",\"components\":[" + BUTTON_ROW.formatted("v1:up:1:1")
                + "],\"attachments\":[{\"id\":0,\"filename\":\"grid.png\"}]}";

        List<Violation> violations = VALIDATOR.validateRequest(multipart("POST", "/webhooks/123/tok", body));

        assertEquals(List.of(), violations);
    }

    @Test
    void customIdOfHundredAndOneCharactersIsReportedAtItsPath() throws Exception {
        String body = "{\"components\":[" + BUTTON_ROW.formatted("x".repeat(101)) + "]}";

        List<Violation> violations = VALIDATOR.validateRequest(
                json("POST", "/webhooks/123/tok", Map.of("wait", List.of("true")), body));

        assertEquals(1, violations.size(), violations.toString());
        Violation v = violations.get(0);
        assertEquals(Violation.Kind.REQUEST_BODY, v.kind());
        assertEquals("/webhooks/{webhook_id}/{webhook_token}", v.route());
        assertEquals("body", v.location());
        assertEquals("$.components[0].components[0].custom_id: must be at most 100 characters long", v.message());
        assertEquals("#/components/schemas/ButtonComponentForMessageRequest/properties/custom_id/maxLength",
                v.schemaLocation());
        assertTrue(v.details().size() > 1, "the union branches' messages are kept as details");
    }

    @Test
    void hundredCharacterCustomIdPasses() throws Exception {
        String body = "{\"components\":[" + BUTTON_ROW.formatted("x".repeat(100)) + "]}";

        assertEquals(List.of(), VALIDATOR.validateRequest(json("POST", "/channels/1/messages", Map.of(), body)));
    }

    @Test
    void unknownButtonStyleNamesTheAllowedValues() throws Exception {
        String body = "{\"type\":4,\"data\":{\"components\":[{\"type\":1,\"components\":[{\"type\":2,\"style\":9,"
                + "\"label\":\"U1\",\"custom_id\":\"a\"}]}]}}";

        List<Violation> violations = VALIDATOR.validateRequest(
                json("POST", "/interactions/123/tok/callback", Map.of("with_response", List.of("true")), body));

        assertEquals(1, violations.size(), violations.toString());
        assertEquals("$.data.components[0].components[0].style: must be one of [1, 2, 3, 4, 5, 6], got 9",
                violations.get(0).message());
    }

    @Test
    void sixButtonsInOneRowExceedTheRowLimit() throws Exception {
        StringBuilder row = new StringBuilder("{\"type\":1,\"components\":[");
        for (int k = 0; k < 6; k++) {
            row.append(k == 0 ? "" : ",").append("{\"type\":2,\"style\":2,\"label\":\"B").append(k)
                    .append("\",\"custom_id\":\"b").append(k).append("\"}");
        }
        row.append("]}");

        List<Violation> violations = VALIDATOR.validateRequest(
                json("POST", "/channels/1/messages", Map.of(), "{\"components\":[" + row + "]}"));

        assertEquals(1, violations.size(), violations.toString());
        assertEquals("$.components[0].components: must have at most 5 items but found 6", violations.get(0).message());
    }

    @Test
    void undeclaredWaitIsIgnoredButOtherUndeclaredQueryParametersAreReported() throws Exception {
        String path = "/webhooks/123/tok/messages/@original";

        List<Violation> withWait = VALIDATOR.validateRequest(
                json("PATCH", path, Map.of("wait", List.of("true")), "{\"content\":\"50%\"}"));
        List<Violation> withOther = VALIDATOR.validateRequest(
                json("PATCH", path, Map.of("wiat", List.of("true")), "{\"content\":\"50%\"}"));

        assertEquals(List.of(), withWait);
        assertEquals(1, withOther.size());
        assertEquals(Violation.Kind.QUERY_PARAMETER, withOther.get(0).kind());
        assertEquals("query.wiat", withOther.get(0).location());
    }

    @Test
    void declaredQueryParameterIsCheckedAgainstItsType() throws Exception {
        List<Violation> violations = VALIDATOR.validateRequest(
                json("POST", "/webhooks/123/tok", Map.of("wait", List.of("yes")), "{\"content\":\"hi\"}"));

        assertEquals(1, violations.size(), violations.toString());
        assertEquals("query.wait", violations.get(0).location());
    }

    @Test
    void pathParametersMustBeSnowflakes() throws Exception {
        List<Violation> violations = VALIDATOR.validateRequest(
                json("POST", "/interactions/not-a-number/tok/callback", Map.of(), "{\"type\":5}"));

        assertEquals(1, violations.size());
        assertEquals(Violation.Kind.PATH_PARAMETER, violations.get(0).kind());
        assertEquals("path.interaction_id", violations.get(0).location());
    }

    @Test
    void unknownRoutesAndMethodsAreReported() throws Exception {
        Violation route = VALIDATOR.validateRequest(json("GET", "/imagine/now", Map.of(), null)).get(0);
        Violation method = VALIDATOR.validateRequest(json("PUT", "/users/@me", Map.of(), "{}")).get(0);

        assertEquals(Violation.Kind.UNKNOWN_ROUTE, route.kind());
        assertEquals(Violation.Kind.UNKNOWN_METHOD, method.kind());
        assertEquals("/users/@me", method.route());
    }

    @Test
    void literalSegmentsWinOverParameters() {
        OpenApiValidator.Match m = VALIDATOR.match("PATCH", "/webhooks/1/tok/messages/@original").orElseThrow();

        assertEquals("/webhooks/{webhook_id}/{webhook_token}/messages/@original", m.template());
        assertEquals(Map.of("webhook_id", "1", "webhook_token", "tok"), m.pathParameters());
    }

    @Test
    void multipartPayloadJsonIsValidatedAndStrayPartsAreReported() throws Exception {
        String bad = "{\"content\":\"" + "x".repeat(4001) + "\"}";

        List<Violation> violations = VALIDATOR.validateRequest(
                multipart("POST", "/channels/1/messages", bad, "file"));

        assertEquals(2, violations.size(), violations.toString());
        assertEquals("multipart", violations.get(0).location());
        assertEquals("unexpected part 'file' (allowed: payload_json, files[0] … files[9])", violations.get(0).message());
        assertEquals("payload_json", violations.get(1).location());
        assertEquals("$.content: must be at most 4,000 characters long", violations.get(1).message());
    }

    @Test
    void jdaStyleCommandContextsAsNumericStringsPassButUnknownValuesDoNot() throws Exception {
        String jda = "[{\"name\":\"imagine\",\"description\":\"d\",\"type\":1,\"contexts\":[\"0\",\"1\"],"
                + "\"integration_types\":[\"0\"]}]";
        String wrong = "[{\"name\":\"imagine\",\"description\":\"d\",\"type\":1,\"contexts\":[\"7\"]}]";

        assertEquals(List.of(), VALIDATOR.validateRequest(json("PUT", "/applications/1/commands", Map.of(), jda)));
        List<Violation> violations = VALIDATOR.validateRequest(json("PUT", "/applications/1/commands", Map.of(), wrong));
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).message().startsWith("$[0].contexts[0]: "), violations.get(0).message());
    }

    @Test
    void jdaStyleDefaultMemberPermissionsAsADigitStringPassButOtherTextDoesNot() throws Exception {
        String jda = "[{\"name\":\"plans\",\"description\":\"d\",\"type\":1,\"default_member_permissions\":\"32\"}]";
        String wrong = "[{\"name\":\"plans\",\"description\":\"d\",\"type\":1,\"default_member_permissions\":\"admin\"}]";

        assertEquals(List.of(), VALIDATOR.validateRequest(json("PUT", "/applications/1/commands", Map.of(), jda)));
        List<Violation> violations = VALIDATOR.validateRequest(json("PUT", "/applications/1/commands", Map.of(), wrong));
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).message().startsWith("$[0].default_member_permissions: "),
                violations.get(0).message());
    }

    @Test
    void attachmentPlaceholderMayNotBeNegative() throws Exception {
        String body = "{\"content\":\"x\",\"attachments\":[{\"id\":-1}]}";

        List<Violation> violations = VALIDATOR.validateRequest(json("POST", "/channels/1/messages", Map.of(), body));

        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).message().startsWith("$.attachments[0].id: "), violations.get(0).message());
    }

    @Test
    void bodyOnABodylessOperationIsReported() throws Exception {
        List<Violation> violations = VALIDATOR.validateRequest(json("GET", "/users/@me", Map.of(), "{\"x\":1}"));

        assertEquals(1, violations.size());
        assertEquals("get_my_user takes no request body, got 7 bytes of application/json", violations.get(0).message());
    }
}
