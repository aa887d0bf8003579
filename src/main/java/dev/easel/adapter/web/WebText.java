package dev.easel.adapter.web;

/** Every server-side text of the web console and API, in one place so it can be read (and translated) at once. */
final class WebText {
    private WebText() {
    }

    static final String REROLL = "🔄";
    static final String VARY_SUBTLE = "Vary (Subtle)";
    static final String VARY_STRONG = "Vary (Strong)";
    static final String UPSCALE_AGAIN = "Upscale (2×)";

    static final String JSON_REQUIRED = "send the body as JSON (Content-Type: application/json)";
    static final String JSON_OBJECT = "the body must be a JSON object";
    static final String CONSOLE_HEADER = "this request must come from the console page (missing X-Easel-Console header)";
    static final String WRONG_HOST = "this server answers only to localhost names; open it as http://127.0.0.1:<port>/";
    static final String NO_PROMPT = "prompt: describe the picture, e.g. {\"prompt\": \"a lighthouse at dusk --ar 3:2\"}";
    static final String NO_BUTTON = "customId: name the button, e.g. {\"customId\": \"v1:up:<job id>:1\"}";
    static final String TOO_MANY_STREAMS = "too many live-update connections; the page falls back to polling";
    static final String API_KEY_MISSING = "send your API key: Authorization: Bearer esl_…";
    static final String API_KEY_WRONG = "this API key is not known (revoked, or mistyped)";
    static final String ADMIN_OFF = "the admin page is off: set web.admin-token (or EASEL_WEB_ADMIN_TOKEN) and restart";
    static final String ADMIN_LOGIN = "log in on /admin with the admin token, or send it as X-Admin-Token";
    static final String GALLERY_OFF = "the public gallery is off (web.gallery: off)";
    static final String IMAGE_MISSING = "image: attach a PNG or JPEG as the form field 'image' (curl -F image=@picture.png)";
    static final String IMAGE_UNREADABLE = "image: not a PNG or JPEG this server can read";

    static String notFound(String path) {
        return "nothing here: " + path;
    }

    static String methodNotAllowed(String method, String path) {
        return method + " is not allowed on " + path;
    }

    static String tooLarge(long limit) {
        return "the request body is larger than " + (limit / 1024) + " KiB";
    }

    static String noJob(String id) {
        return "job " + id + " does not exist";
    }

    static String notYours(String id) {
        return "job " + id + " belongs to someone else";
    }

    static String badJobId(String text) {
        return "'" + text + "' is not a job id (12 characters of 0-9 and a-z without i, l, o, u)";
    }

    static String imageTooBig(int width, int height, int max) {
        return "image: " + width + "x" + height + " is larger than " + max + " pixels on a side";
    }

    static String badStrength(String text) {
        return "strength: must be a number in (0, 1] (near 0 keeps the image, 1 ignores it); got '" + text + "'";
    }

    static String noImage(String jobId, String which) {
        return "job " + jobId + " has no image " + which + " (1.." + "n, or grid)";
    }

    static String notDone(String jobId, String status) {
        return "job " + jobId + " is " + status + "; its images exist once it is done";
    }

    static String badIndex(String text) {
        return "index: must be a candidate number 1..9; got '" + text + "'";
    }

    static String badMode(String text) {
        return "mode: must be strong or subtle; got '" + text + "'";
    }

    static String unknownOperation(String op, String known) {
        return "unknown operation '" + op + "'; known: " + known;
    }

    static String missing(String field) {
        return field + ": is required";
    }

    static String badExpiry(String text) {
        return "expiresAt: must be an instant like 2025-04-01T00:00:00Z; got '" + text + "'";
    }

    static String cancelled(String id) {
        return "job " + id + " is cancelled";
    }

    static String stopping(String id) {
        return "job " + id + " stops at its next step";
    }

    static String alreadyFinished(String id, String status) {
        return "job " + id + " already ended (" + status + ")";
    }

    static String keyRevoked(String name) {
        return "key " + name + " is revoked";
    }

    static String noKey(String name) {
        return "there is no key named " + name;
    }

    static String planSetupFailed(String who, String message) {
        return "cannot give " + who + " its configured plan: " + message;
    }
}
