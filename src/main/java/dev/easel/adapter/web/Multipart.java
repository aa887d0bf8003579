package dev.easel.adapter.web;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A multipart/form-data body (RFC 7578), as curl {@code -F} and browser forms send it. */
final class Multipart {

    /** One field: {@code filename} is null for plain text fields. */
    record Part(String name, String filename, String contentType, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern FILENAME = Pattern.compile("\\bfilename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private Multipart() {
    }

    /** The parts by field name (the first of each name wins). */
    static Map<String, Part> parse(String contentType, byte[] body) {
        Matcher m = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (!m.find()) {
            throw HttpError.badRequest("a multipart/form-data body needs a boundary in its Content-Type");
        }
        byte[] delimiter = ("--" + (m.group(1) != null ? m.group(1) : m.group(2))).getBytes(StandardCharsets.ISO_8859_1);
        Map<String, Part> parts = new LinkedHashMap<>();
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw HttpError.badRequest("the multipart body has no part boundary");
        }
        while (true) {
            int after = pos + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts; // closing delimiter
            }
            int headersStart = skipLineBreak(body, after);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                throw HttpError.badRequest("a multipart part has no header end");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int next = indexOf(body, delimiter, dataStart);
            if (next < 0) {
                throw HttpError.badRequest("the multipart body ends without its closing boundary");
            }
            int dataEnd = next;
            if (dataEnd >= 2 && body[dataEnd - 2] == '\r' && body[dataEnd - 1] == '\n') {
                dataEnd -= 2;
            }
            String name = null;
            String filename = null;
            String type = "text/plain";
            for (String line : headers.split("\r\n")) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-disposition:")) {
                    Matcher n = NAME.matcher(line);
                    name = n.find() ? n.group(1) : null;
                    Matcher f = FILENAME.matcher(line);
                    filename = f.find() ? f.group(1) : null;
                } else if (lower.startsWith("content-type:")) {
                    type = line.substring(line.indexOf(':') + 1).strip();
                }
            }
            if (name != null) {
                parts.putIfAbsent(name, new Part(name, filename, type, Arrays.copyOfRange(body, dataStart, dataEnd)));
            }
            pos = next;
        }
    }

    private static int skipLineBreak(byte[] b, int i) {
        if (i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n') {
            return i + 2;
        }
        return i;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
