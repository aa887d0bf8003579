package dev.easel.adapter.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * {@code easel models pull}: downloads a diffusers-layout Stable Diffusion repo from the hub into
 * {@code models/.partial-<name>/}, verifies every file (sha256 of LFS files, size and git blob id of the others)
 * and then renames the folder to {@code models/<name>} in one step.
 *
 * <p>Interrupted transfers are retried from where they stopped ({@code Range}); a run that gives up keeps the
 * partial files ({@code *.part}) and the next run resumes them, as long as the revision still points to the same
 * commit. A corrupt file is deleted (so the next run fetches it anew) and nothing is installed.
 */
public final class ModelPuller {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STATE = ".easel-pull.json";
    private static final int BUFFER = 1 << 16;

    private final HubClient hub;
    private final ModelStore store;
    private final ProgressPrinter progress;
    private final Settings settings;
    private final Clock clock;

    /**
     * @param attemptsPerFile transfers of one file in one run before giving up (each resumes the last)
     * @param retryDelay      pause before the first retry, doubled for each further one
     */
    public record Settings(int attemptsPerFile, Duration retryDelay) {
        public static Settings defaults() {
            return new Settings(5, Duration.ofSeconds(2));
        }
    }

    /** What was installed. */
    public record Result(String name, Path dir, String commit, List<String> files, long downloadedBytes,
                         List<String> notes) {
    }

    public ModelPuller(HubClient hub, ModelStore store, ProgressPrinter progress, Settings settings, Clock clock) {
        this.hub = hub;
        this.store = store;
        this.progress = progress;
        this.settings = settings;
        this.clock = clock;
    }

    /** The folder name a repo installs under by default: the part after the slash. */
    public static String defaultName(String repo) {
        return repo.substring(repo.indexOf('/') + 1);
    }

    /**
     * @param revision branch, tag or commit (null = main)
     * @param variant  "fp16" to prefer half-precision files, or null
     * @param name     the folder under models/ (null = {@link #defaultName})
     * @param replace  replace an installed model of that name
     */
    public Result pull(String repo, String revision, String variant, String name, boolean replace) throws IOException {
        HubClient.checkRepoId(repo);
        String rev = revision == null || revision.isBlank() ? "main" : revision;
        String target = name == null ? defaultName(repo) : name;
        ModelStore.checkName(target);
        if (store.isInstalled(target) && !replace) {
            throw new PullException("a model named " + target + " is already installed in " + store.dir(target)
                    + "; remove it first (easel models remove " + target + "), pull under another --name, or pass"
                    + " --force to replace it");
        }
        HubClient.RepoInfo info = hub.info(repo, rev);
        ModelFiles.Selection selection = ModelFiles.select(repo, info.files(), variant);
        Path staging = store.staging(target);
        prepareStaging(staging, repo, info.commit(), variant);

        // model_index.json first: a model of another kind is refused before gigabytes move
        HubClient.RemoteFile index = selection.files().stream().filter(f -> f.path().equals("model_index.json"))
                .findFirst().orElseThrow();
        List<String> notes = new ArrayList<>(selection.notes());
        long present = 0;
        for (HubClient.RemoteFile f : selection.files()) {
            present += Files.isRegularFile(staging.resolve(f.path())) ? f.size() : partSize(staging, f);
        }
        long free = Files.getFileStore(Files.createDirectories(store.root())).getUsableSpace();
        long needed = selection.bytes() - present;
        if (needed > free) {
            throw new PullException(repo + " needs " + ProgressPrinter.bytes(needed) + " more in " + store.root()
                    + " but only " + ProgressPrinter.bytes(free) + " are free");
        }
        progress.start(selection.bytes(), present, selection.files().size());
        notes.forEach(progress::note);
        long downloaded = 0;
        List<ModelManifest.Entry> entries = new ArrayList<>();
        try {
            downloaded += fetch(repo, info.commit(), index, staging, entries);
            checkPipelineKind(repo, staging.resolve("model_index.json"));
            for (HubClient.RemoteFile f : selection.files()) {
                if (f != index) {
                    downloaded += fetch(repo, info.commit(), f, staging, entries);
                }
            }
        } catch (IOException | RuntimeException e) {
            progress.abort();
            throw e;
        }
        progress.finish();
        ModelManifest manifest = new ModelManifest("hub", repo, rev, info.commit(),
                variant == null || variant.isBlank() ? null : variant, info.license(), ModelStore.architecture(staging),
                clock.instant(), List.copyOf(entries));
        manifest.write(staging);
        Files.deleteIfExists(staging.resolve(STATE));
        Path dir = store.install(staging, target, replace);
        return new Result(target, dir, info.commit(), selection.files().stream().map(HubClient.RemoteFile::path).toList(),
                downloaded, notes);
    }

    /** Keeps an earlier run's files when they belong to the same repo, commit and variant; else starts over. */
    private void prepareStaging(Path staging, String repo, String commit, String variant) throws IOException {
        Path state = staging.resolve(STATE);
        if (Files.isDirectory(staging)) {
            boolean same = false;
            if (Files.isRegularFile(state)) {
                try {
                    JsonNode s = JSON.readTree(state.toFile());
                    same = repo.equals(s.path("repo").asText()) && commit.equals(s.path("commit").asText())
                            && Objects.equals(variant == null ? "" : variant, s.path("variant").asText(""));
                } catch (IOException e) {
                    same = false;
                }
            }
            if (!same) {
                progress.note("discarding an earlier, unfinished download in " + staging
                        + " (another repo, revision or variant)");
                ModelStore.deleteTree(staging);
            }
        }
        Files.createDirectories(staging);
        ObjectNode s = JSON.createObjectNode();
        s.put("repo", repo);
        s.put("commit", commit);
        s.put("variant", variant == null ? "" : variant);
        Files.writeString(state, s.toString());
    }

    private static long partSize(Path staging, HubClient.RemoteFile f) throws IOException {
        Path part = part(staging, f.path());
        return Files.isRegularFile(part) ? Math.min(Files.size(part), Math.max(0, f.size())) : 0;
    }

    private static Path part(Path staging, String path) {
        return staging.resolve(path + ".part");
    }

    private static void checkPipelineKind(String repo, Path index) throws IOException {
        String cls;
        try {
            cls = JSON.readTree(index.toFile()).path("_class_name").asText("");
        } catch (IOException e) {
            throw new PullException(repo + ": model_index.json is not valid JSON (" + e.getMessage() + ")");
        }
        if (!cls.equals("StableDiffusionPipeline") && !cls.equals("StableDiffusionImg2ImgPipeline")) {
            throw new PullException(repo + " is a " + (cls.isEmpty() ? "model of unknown kind" : cls) + " model;"
                    + " Easel runs Stable Diffusion 1.x/2.x (StableDiffusionPipeline) models only");
        }
    }

    /** Downloads (or resumes) one file into the staging folder and verifies it; returns the bytes transferred. */
    private long fetch(String repo, String commit, HubClient.RemoteFile f, Path staging,
                       List<ModelManifest.Entry> entries) throws IOException {
        Path done = staging.resolve(f.path());
        if (!done.normalize().startsWith(staging.normalize())) {
            throw new PullException(repo + ": refusing file path '" + f.path() + "' outside the model folder");
        }
        if (Files.isRegularFile(done) && (f.size() < 0 || Files.size(done) == f.size())) {
            // verified by an earlier run before it was renamed from .part
            entries.add(new ModelManifest.Entry(f.path(), Files.size(done), f.lfsSha256()));
            return 0;
        }
        Files.createDirectories(done.getParent());
        Path part = part(staging, f.path());
        if (Files.isRegularFile(part) && f.size() >= 0 && Files.size(part) > f.size()) {
            Files.delete(part); // longer than the file can be: not ours
        }
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        progress.file(f.path(), f.size(), have);
        MessageDigest sha256 = digest("SHA-256");
        if (have > 0) {
            hashExisting(part, sha256);
        }
        long transferred = 0;
        String linkedEtag = null;
        String etag = null;
        IOException last = null;
        for (int attempt = 1; attempt <= settings.attemptsPerFile(); attempt++) {
            if (f.size() >= 0 && have == f.size() && have > 0) {
                break; // everything arrived before the connection dropped
            }
            try (HubClient.Download d = hub.download(repo, commit, f.path(), have)) {
                if (d.linkedEtag() != null) {
                    linkedEtag = d.linkedEtag();
                }
                etag = d.etag();
                if (d.offset() != have) {
                    // the server ignored the range: start this file over
                    progress.rewind(have);
                    progress.note(f.path() + ": the server cannot resume; starting this file over");
                    have = 0;
                    sha256.reset();
                    Files.deleteIfExists(part);
                }
                try (InputStream in = d.body(); OutputStream out = Files.newOutputStream(part,
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    byte[] buf = new byte[BUFFER];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        sha256.update(buf, 0, n);
                        have += n;
                        transferred += n;
                        progress.advance(n);
                    }
                }
                if (f.size() < 0 || have >= f.size()) {
                    last = null;
                    break;
                }
                last = new IOException("the connection closed after " + have + " of " + f.size() + " bytes");
            } catch (HubException e) {
                if (e.status() >= 400 && e.status() < 500 && e.status() != 408 && e.status() != 429) {
                    throw e; // refused: retrying will not help
                }
                last = e;
            } catch (IOException e) {
                last = e;
            }
            if (attempt < settings.attemptsPerFile()) {
                progress.note(f.path() + ": " + describe(last) + "; retrying from byte " + have + " (attempt "
                        + (attempt + 1) + " of " + settings.attemptsPerFile() + ")");
                sleep(settings.retryDelay().multipliedBy(1L << Math.min(attempt - 1, 5)));
            }
        }
        if (last != null) {
            throw new PullException(f.path() + ": download interrupted at " + ProgressPrinter.bytes(have) + " of "
                    + ProgressPrinter.bytes(f.size()) + " (" + describe(last) + "). Nothing was installed; run the same"
                    + " command again to resume (the partial files are kept in " + staging + ")", last);
        }
        verify(f, part, have, sha256, linkedEtag, etag);
        Files.move(part, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        entries.add(new ModelManifest.Entry(f.path(), have, f.isLfs() ? f.lfsSha256()
                : linkedEtag != null ? linkedEtag : HexFormat.of().formatHex(sha256.digest())));
        return transferred;
    }

    private void verify(HubClient.RemoteFile f, Path part, long have, MessageDigest sha256, String linkedEtag,
                        String etag) throws IOException {
        if (f.size() >= 0 && have != f.size()) {
            Files.deleteIfExists(part);
            throw new PullException(f.path() + ": size mismatch: got " + have + " bytes, the hub lists " + f.size()
                    + "; the file was deleted and nothing was installed. Run the command again to download it anew");
        }
        String expected = f.lfsSha256() != null ? f.lfsSha256() : isSha256(linkedEtag) ? linkedEtag : null;
        if (expected != null) {
            String got = HexFormat.of().formatHex(((MessageDigest) cloneDigest(sha256)).digest());
            if (!got.equals(expected)) {
                Files.deleteIfExists(part);
                throw new PullException(f.path() + ": sha256 mismatch: expected " + expected + ", got " + got
                        + ". The download is corrupt; the file was deleted and nothing was installed. Run the command"
                        + " again to download it anew");
            }
        } else if (blobId(f, etag) != null) {
            // small files are plain git blobs: their id is sha1("blob <size>\0" + content); the API lists it, and
            // the hub's ETag for such a file is the same id
            String blob = blobId(f, etag);
            MessageDigest sha1 = digest("SHA-1");
            sha1.update(("blob " + have + "\0").getBytes(StandardCharsets.US_ASCII));
            hashExisting(part, sha1);
            String got = HexFormat.of().formatHex(sha1.digest());
            if (!got.equals(blob)) {
                Files.deleteIfExists(part);
                throw new PullException(f.path() + ": git blob id mismatch: expected " + blob + ", got " + got
                        + ". The download is corrupt; the file was deleted and nothing was installed. Run the command"
                        + " again to download it anew");
            }
        }
    }

    private static String blobId(HubClient.RemoteFile f, String etag) {
        if (f.blobId() != null && f.blobId().matches("[0-9a-f]{40}")) {
            return f.blobId();
        }
        return etag != null && etag.matches("[0-9a-f]{40}") ? etag : null;
    }

    private static boolean isSha256(String s) {
        return s != null && s.matches("[0-9a-f]{64}");
    }

    private static Object cloneDigest(MessageDigest d) {
        try {
            return d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 cannot be cloned", e);
        }
    }

    private static void hashExisting(Path file, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void sleep(Duration d) throws PullException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException("interrupted; run the same command again to resume");
        }
    }
}
