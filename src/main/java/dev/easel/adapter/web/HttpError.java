package dev.easel.adapter.web;

/**
 * Ends a request with a status and a message for the caller (JSON {@code {"error": …}} on API routes).
 *
 * @see WebRequest
 */
final class HttpError extends RuntimeException {
    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    static HttpError forbidden(String message) {
        return new HttpError(403, message);
    }

    static HttpError unauthorized(String message) {
        return new HttpError(401, message);
    }
}
