package dev.easel.testing.discord;

/**
 * A file attached to a message held by {@link FakeDiscord}; its bytes are served at {@code url}.
 *
 * @param id          attachment snowflake
 * @param filename    file name as uploaded
 * @param contentType media type guessed from the name or sent with the part
 * @param description alt text, or {@code null}
 * @param width       image width for PNG/JPEG/GIF/WebP uploads, else {@code null}
 * @param height      image height, else {@code null}
 * @param url         where the stand-in serves the bytes
 * @param bytes       the uploaded bytes
 */
public record FakeAttachment(long id, String filename, String contentType, String description, Integer width,
                             Integer height, String url, byte[] bytes) {
    public int size() {
        return bytes.length;
    }
}
