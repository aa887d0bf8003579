package dev.easel.adapter.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of the Hugging Face hub HTTP API a model download needs, with the hub's own URL shapes:
 * <ul>
 *   <li>{@code GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true}: the commit ({@code sha}) and the files
 *       ({@code siblings[].rfilename}, with {@code size}, git {@code blobId} and for LFS files {@code lfs.sha256}).</li>
 *   <li>{@code GET {endpoint}/{repo}/resolve/{rev}/{path}}: the file; LFS files answer with a redirect to a CDN whose
 *       {@code X-Linked-Etag} is the sha256 and {@code X-Linked-Size} the size; small files come directly with the
 *       git blob id as {@code ETag}. Redirects are followed by hand (relative ones too), and the token is sent only
 *       to the hub's own origin, never to the CDN. {@code Range: bytes=N-} resumes.</li>
 * </ul>
 * Errors become {@link HubException}s that say what to do (401/403 for gated or private repos: HF_TOKEN).
 */
public final class HubClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 10;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final URI endpoint;
    private final String token;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;

    /** A file of the repo at one commit. */
    public record RemoteFile(String path, long size, String lfsSha256, String blobId) {
        public boolean isLfs() {
            return lfsSha256 != null;
        }
    }

    /** A repo at one revision. */
    public record RepoInfo(String id, String commit, String license, List<RemoteFile> files) {
    }

    /**
     * An open download.
     *
     * @param offset          where the body starts in the file (the requested offset for 206, 0 for 200)
     * @param length          bytes in the body, or -1 if unknown
     * @param totalSize       the file's size as the server says, or -1
     * @param linkedEtag      the LFS sha256 the hub announced (X-Linked-Etag), or null
     * @param etag            the final response's ETag without quotes, or null
     */
    public record Download(InputStream body, long offset, long length, long totalSize, String linkedEtag, String etag,
                           HttpURLConnection connection) implements AutoCloseable {
        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing a broken stream
            }
            connection.disconnect();
        }
    }

    /**
     * @param endpoint the hub, e.g. https://huggingface.co (HF_ENDPOINT)
     * @param token    HF_TOKEN, or null
     */
    public HubClient(URI endpoint, String token, int connectTimeoutMs, int readTimeoutMs) {
        String e = endpoint.toString();
        this.endpoint = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    public HubClient(URI endpoint, String token) {
        this(endpoint, token, 15_000, 60_000);
    }

    public URI endpoint() {
        return endpoint;
    }

    public boolean hasToken() {
        return token != null;
    }

    /** A repo id as the hub spells it: {@code owner/name}. */
    public static void checkRepoId(String repo) {
        if (repo == null || !repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("'" + repo + "' is not a Hugging Face model id; expected owner/name,"
                    + " e.g. stable-diffusion-v1-5/stable-diffusion-v1-5");
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            parts.add(encode(p));
        }
        return String.join("/", parts);
    }

    /** The repo's files and commit at {@code revision} (a branch, tag or commit). */
    public RepoInfo info(String repo, String revision) throws IOException {
        checkRepoId(repo);
        URI uri = URI.create(endpoint + "/api/models/" + repo + "/revision/" + encode(revision) + "?blobs=true");
        HttpURLConnection c = open(uri, -1, true);
        try {
            int status = c.getResponseCode();
            if (status != 200) {
                throw error(c, status, repo, revision, null);
            }
            JsonNode root;
            try (InputStream in = c.getInputStream()) {
                root = JSON.readTree(in);
            }
            String commit = root.path("sha").asText(null);
            if (commit == null || !root.has("siblings")) {
                throw new HubException(status, uri + " did not answer with a model's file list (no sha/siblings):"
                        + " is " + endpoint + " a Hugging Face hub?");
            }
            List<RemoteFile> files = new ArrayList<>();
            for (JsonNode s : root.get("siblings")) {
                JsonNode lfs = s.get("lfs");
                long size = s.has("size") ? s.get("size").asLong() : lfs != null && lfs.has("size") ? lfs.get("size").asLong() : -1;
                files.add(new RemoteFile(s.path("rfilename").asText(), size,
                        lfs != null && lfs.has("sha256") ? lfs.get("sha256").asText().toLowerCase(Locale.ROOT) : null,
                        s.hasNonNull("blobId") ? s.get("blobId").asText() : null));
            }
            String license = root.path("cardData").path("license").asText(null);
            if (license == null) {
                for (JsonNode t : root.path("tags")) {
                    if (t.asText().startsWith("license:")) {
                        license = t.asText().substring("license:".length());
                    }
                }
            }
            return new RepoInfo(root.path("id").asText(repo), commit, license, List.copyOf(files));
        } finally {
            c.disconnect();
        }
    }

    /**
     * Opens a file for reading from {@code offset} ({@code Range: bytes=offset-}); follows the hub's redirects.
     * The caller checks {@link Download#offset()}: a server may ignore the range and send the whole file.
     */
    public Download download(String repo, String commit, String path, long offset) throws IOException {
        URI uri = URI.create(endpoint + "/" + repo + "/resolve/" + encode(commit) + "/" + encodePath(path));
        String linkedEtag = null;
        long linkedSize = -1;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            boolean sameOrigin = sameOrigin(uri, endpoint);
            HttpURLConnection c = open(uri, offset, sameOrigin);
            int status;
            try {
                status = c.getResponseCode();
            } catch (IOException e) {
                c.disconnect();
                throw e;
            }
            String le = c.getHeaderField("X-Linked-Etag");
            if (le != null) {
                linkedEtag = unquote(le).toLowerCase(Locale.ROOT);
            }
            String ls = c.getHeaderField("X-Linked-Size");
            if (ls != null && ls.matches("\\d+")) {
                linkedSize = Long.parseLong(ls);
            }
            if (status >= 300 && status < 400 && status != 304) {
                String location = c.getHeaderField("Location");
                c.disconnect();
                if (location == null) {
                    throw new HubException(status, uri + " answered " + status + " without a Location to follow");
                }
                uri = uri.resolve(location);
                continue;
            }
            if (status == 416 && offset > 0) {
                c.disconnect();
                throw new HubException(status, path + ": the server refused to resume at byte " + offset
                        + " (416 Range Not Satisfiable)");
            }
            if (status != 200 && status != 206) {
                try {
                    throw error(c, status, repo, commit, path);
                } finally {
                    c.disconnect();
                }
            }
            long length = c.getContentLengthLong();
            long start = 0;
            long total = linkedSize;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(Objects.requireNonNullElse(c.getHeaderField("Content-Range"), ""));
                if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                    c.disconnect();
                    throw new HubException(status, path + ": asked for bytes from " + offset + " but got Content-Range '"
                            + c.getHeaderField("Content-Range") + "'");
                }
                start = offset;
                if (!m.group(3).equals("*")) {
                    total = Long.parseLong(m.group(3));
                }
            } else if (total < 0) {
                total = length;
            }
            return new Download(c.getInputStream(), start, length, total, linkedEtag,
                    c.getHeaderField("ETag") == null ? null : unquote(c.getHeaderField("ETag")), c);
        }
        throw new HubException(0, path + ": more than " + MAX_REDIRECTS + " redirects from " + endpoint);
    }

    private HttpURLConnection open(URI uri, long rangeFrom, boolean sendToken) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(connectTimeoutMs);
        c.setReadTimeout(readTimeoutMs);
        c.setRequestProperty("User-Agent", "easel/0.1 (java; model download)");
        c.setRequestProperty("Accept-Encoding", "identity");
        if (sendToken && token != null) {
            c.setRequestProperty("Authorization", "Bearer " + token);
        }
        if (rangeFrom > 0) {
            c.setRequestProperty("Range", "bytes=" + rangeFrom + "-");
        }
        return c;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String unquote(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    /** The hub's answer to a refused request, as advice. */
    private HubException error(HttpURLConnection c, int status, String repo, String revision, String path) {
        String code = c.getHeaderField("X-Error-Code");
        String message = c.getHeaderField("X-Error-Message");
        String page = "https://huggingface.co/" + repo;
        String what = path == null ? "model " + repo : path + " of " + repo;
        if ("RevisionNotFound".equals(code)) {
            return new HubException(status, "revision '" + revision + "' of " + repo + " not found on " + endpoint
                    + " (use a branch, tag or commit that exists; the default is main)");
        }
        if ("EntryNotFound".equals(code) || (status == 404 && path != null && !"RepoNotFound".equals(code))) {
            return new HubException(status, path + " not found in " + repo + " at " + revision);
        }
        if (status == 401 && "Invalid credentials in Authorization header".equals(message)) {
            return new HubException(status, "the hub rejected HF_TOKEN (401: invalid credentials): the token is wrong,"
                    + " expired or revoked; create a read token at https://huggingface.co/settings/tokens and set"
                    + " HF_TOKEN to it");
        }
        if ("GatedRepo".equals(code) || (status == 403 && token != null)) {
            if (token == null) {
                return new HubException(status, repo + " is a gated model (" + status + "): accept its licence on "
                        + page + " while logged in, then set HF_TOKEN to an access token of that account"
                        + " (https://huggingface.co/settings/tokens) and run the command again");
            }
            return new HubException(status, "the account of HF_TOKEN has no access to gated model " + repo + " ("
                    + status + "): accept its conditions on " + page + " (approval can take a while), or use a token"
                    + " of an account that has access");
        }
        if (status == 401 || status == 404 || "RepoNotFound".equals(code)) {
            return new HubException(status, what + " not found on " + endpoint + " (" + status + ")"
                    + (token == null ? ": check the id; if the repo is private or gated, set HF_TOKEN to an access"
                    + " token that can read it" : ": check the id, and that the account of HF_TOKEN can read it"));
        }
        if (status == 429) {
            return new HubException(status, "the hub is rate-limiting downloads (429); wait a minute and run the"
                    + " command again (it resumes)");
        }
        return new HubException(status, what + ": the hub answered " + status
                + (message == null ? "" : " (" + message + ")") + (status >= 500 ? "; try again later (downloads resume)" : ""));
    }
}
