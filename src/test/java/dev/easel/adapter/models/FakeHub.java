package dev.easel.adapter.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A stand-in Hugging Face hub on 127.0.0.1, answering the way huggingface.co does: the revision API with
 * {@code siblings} (and {@code blobs=true} sizes, blob ids and LFS sha256s), {@code resolve} URLs that redirect LFS
 * files to a CDN on another origin (with {@code X-Linked-Etag}/{@code X-Linked-Size}) and config files through a
 * relative redirect, {@code Range} requests, gated repos (401/403 with {@code X-Error-Code}), wrong tokens
 * ({@code Invalid credentials in Authorization header}) and missing repos, revisions and files. Faults can be
 * injected: a connection dropped after some bytes, a corrupted file.
 */
public final class FakeHub implements AutoCloseable {
    public static final String TOKEN = "hf_valid_test_token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A repo at one commit. */
    public record Repo(String id, String commit, Map<String, byte[]> files, boolean gated, String license) {
        boolean isLfs(String path) {
            return path.endsWith(".safetensors") || path.endsWith(".bin") || path.endsWith(".msgpack")
                    || path.endsWith(".onnx") || path.endsWith(".ckpt");
        }
    }

    /** One request as the servers saw it. */
    record Request(String server, String method, String path, String range, String authorization) {
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    /** sha256 → how many more times to drop the connection, and after how many bytes. */
    private final Map<String, int[]> drops = new ConcurrentHashMap<>();
    private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    /** Answer the revision API without sizes, blob ids and LFS hashes, as mirrors without ?blobs=true do. */
    volatile boolean omitBlobs;

    public FakeHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.start();
        cdn.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    URI cdnOrigin() {
        return URI.create("http://127.0.0.1:" + cdn.getAddress().getPort());
    }

    /** A repo with every file of {@code folder} (recursively) plus {@code extra} files. */
    public Repo add(String id, Path folder, Map<String, byte[]> extra, boolean gated) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                files.put(folder.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        files.putAll(extra);
        Repo r = new Repo(id, sha1Hex(id.getBytes(StandardCharsets.UTF_8)), files, gated, "creativeml-openrail-m");
        repos.put(id, r);
        return r;
    }

    /** The next {@code times} transfers of this file stop after {@code afterBytes} bytes. */
    void dropConnection(Repo repo, String path, int afterBytes, int times) {
        drops.put(sha256Hex(repo.files().get(path)), new int[]{times, afterBytes});
    }

    /** The CDN serves this file with one byte changed. */
    void corrupt(Repo repo, String path) {
        corrupt.add(sha256Hex(repo.files().get(path)));
    }

    void heal() {
        drops.clear();
        corrupt.clear();
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    private void record(String server, HttpExchange ex) {
        synchronized (requests) {
            requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                    ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
        }
    }

    // ---- hub ------------------------------------------------------------------------------------------------

    private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/([^/]+)");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
    private static final Pattern CACHE = Pattern.compile("/api/resolve-cache/models/([^/]+/[^/]+)/([^/]+)/(.+)");

    private void hub(HttpExchange ex) throws IOException {
        record("hub", ex);
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Matcher m;
            if ((m = API.matcher(path)).matches()) {
                Repo repo = authorized(ex, m.group(1));
                if (repo != null && revision(ex, repo, decode(m.group(2)))) {
                    byte[] body = JSON.writeValueAsBytes(info(repo, !omitBlobs && "blobs=true".equals(ex.getRequestURI().getQuery())));
                    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                }
            } else if ((m = CACHE.matcher(path)).matches()) {
                Repo repo = authorized(ex, m.group(1));
                if (repo != null && revision(ex, repo, decode(m.group(2)))) {
                    serveBlob(ex, repo, decode(m.group(3)));
                }
            } else if ((m = RESOLVE.matcher(path)).matches()) {
                Repo repo = authorized(ex, m.group(1));
                if (repo != null && revision(ex, repo, decode(m.group(2)))) {
                    resolve(ex, repo, decode(m.group(3)));
                }
            } else {
                error(ex, 404, null, "Not Found");
            }
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The repo if the request may read it; otherwise the hub's refusal has been sent and null is returned. */
    private Repo authorized(HttpExchange ex, String id) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && !auth.equals("Bearer " + TOKEN)) {
            error(ex, 401, null, "Invalid credentials in Authorization header");
            return null;
        }
        Repo repo = repos.get(id);
        if (repo == null) {
            // like the hub: without a token a missing repo looks like a private one (401)
            error(ex, auth == null ? 401 : 404, "RepoNotFound", "Repository not found");
            return null;
        }
        if (repo.gated() && auth == null) {
            error(ex, 401, "GatedRepo", "Access to model " + id + " is restricted. You must have access to it and be"
                    + " authenticated to access it. Please log in.");
            return null;
        }
        return repo;
    }

    private static boolean revision(HttpExchange ex, Repo repo, String rev) throws IOException {
        if (rev.equals("main") || rev.equals(repo.commit())) {
            return true;
        }
        error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
        return false;
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private ObjectNode info(Repo repo, boolean blobs) {
        ObjectNode n = JSON.createObjectNode();
        n.put("_id", "65f0c0ffee");
        n.put("id", repo.id());
        n.put("modelId", repo.id());
        n.put("sha", repo.commit());
        n.put("private", false);
        n.put("gated", repo.gated() ? "manual" : "false");
        n.put("library_name", "diffusers");
        n.putArray("tags").add("diffusers").add("license:" + repo.license());
        n.putObject("cardData").put("license", repo.license());
        ArrayNode siblings = n.putArray("siblings");
        repo.files().forEach((path, bytes) -> {
            ObjectNode s = siblings.addObject();
            s.put("rfilename", path);
            if (blobs) {
                if (repo.isLfs(path)) {
                    String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256Hex(bytes)
                            + "\nsize " + bytes.length + "\n";
                    s.put("blobId", gitBlobId(pointer.getBytes(StandardCharsets.UTF_8)));
                    s.put("size", bytes.length);
                    ObjectNode lfs = s.putObject("lfs");
                    lfs.put("sha256", sha256Hex(bytes));
                    lfs.put("size", bytes.length);
                    lfs.put("pointerSize", pointer.length());
                } else {
                    s.put("blobId", gitBlobId(bytes));
                    s.put("size", bytes.length);
                }
            }
        });
        return n;
    }

    private void resolve(HttpExchange ex, Repo repo, String path) throws IOException {
        byte[] bytes = repo.files().get(path);
        if (bytes == null) {
            error(ex, 404, "EntryNotFound", path + " does not exist on \"main\"");
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", repo.commit());
        if (repo.isLfs(path)) {
            String sha = sha256Hex(bytes);
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(bytes.length));
            ex.getResponseHeaders().set("ETag", "\"" + gitBlobId(bytes) + "\"");
            ex.getResponseHeaders().set("Location", cdnOrigin() + "/repos/ab/cd/" + sha + "?X-Amz-Signature=fake&response-content-disposition=attachment");
            ex.sendResponseHeaders(302, -1);
        } else if (path.endsWith("config.json")) {
            // the hub sends some small files through its resolve cache with a relative redirect
            ex.getResponseHeaders().set("Location", "/api/resolve-cache/models/" + repo.id() + "/" + repo.commit() + "/" + path);
            ex.sendResponseHeaders(307, -1);
        } else {
            serveBlob(ex, repo, path);
        }
    }

    private static void serveBlob(HttpExchange ex, Repo repo, String path) throws IOException {
        byte[] bytes = repo.files().get(path);
        if (bytes == null) {
            error(ex, 404, "EntryNotFound", path + " does not exist");
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + gitBlobId(bytes) + "\"");
        ex.getResponseHeaders().set("X-Repo-Commit", repo.commit());
        sendRange(ex, bytes, -1);
    }

    // ---- cdn ------------------------------------------------------------------------------------------------

    private void cdn(HttpExchange ex) throws IOException {
        record("cdn", ex);
        String path = ex.getRequestURI().getRawPath();
        String sha = path.substring(path.lastIndexOf('/') + 1);
        byte[] bytes = null;
        for (Repo r : repos.values()) {
            for (byte[] b : r.files().values()) {
                if (sha256Hex(b).equals(sha)) {
                    bytes = b;
                }
            }
        }
        if (bytes == null) {
            try (ex) {
                ex.sendResponseHeaders(404, -1);
            }
            return;
        }
        if (corrupt.contains(sha)) {
            bytes = bytes.clone();
            bytes[bytes.length / 2] ^= 0x5A;
        }
        int[] drop = drops.get(sha);
        int cutAfter = -1;
        synchronized (drops) {
            if (drop != null && drop[0] > 0) {
                drop[0]--;
                cutAfter = drop[1];
            }
        }
        ex.getResponseHeaders().set("ETag", "\"" + sha + "\"");
        sendRange(ex, bytes, cutAfter); // a cut throws: the server then closes the connection mid-body
        ex.close();
    }

    /** 200, or 206 for {@code Range: bytes=N-}; with {@code cutAfter >= 0}, stops after that many body bytes. */
    private static void sendRange(HttpExchange ex, byte[] bytes, int cutAfter) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        int status = 200;
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches() || Integer.parseInt(m.group(1)) >= bytes.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            from = Integer.parseInt(m.group(1));
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(status, bytes.length - from);
        OutputStream out = ex.getResponseBody();
        if (cutAfter >= 0 && cutAfter < bytes.length - from) {
            out.write(bytes, from, cutAfter);
            out.flush();
            throw new IOException("connection dropped on purpose after " + cutAfter + " bytes");
        }
        out.write(bytes, from, bytes.length - from);
    }

    // ---- hashes ---------------------------------------------------------------------------------------------

    static String sha256Hex(byte[] b) {
        return hex("SHA-256", b);
    }

    static String sha1Hex(byte[] b) {
        return hex("SHA-1", b);
    }

    /** git's blob id: sha1("blob <size>\0" + content). */
    static String gitBlobId(byte[] b) {
        byte[] head = ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + b.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        return sha1Hex(all);
    }

    private static String hex(String algorithm, byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
