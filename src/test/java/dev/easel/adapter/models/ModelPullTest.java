package dev.easel.adapter.models;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.sd.weights.SafetensorsWriter;
import dev.easel.sd.weights.TensorInfo;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code easel models pull} against a stand-in hub serving the tiny golden pipeline the way huggingface.co does. */
class ModelPullTest {
    private static final String REPO = "easel-test/tiny-sd";
    /** What the pipeline needs of the fixture repo, and nothing else. */
    private static final List<String> NEEDED = List.of("model_index.json", "scheduler/scheduler_config.json",
            "text_encoder/config.json", "text_encoder/model.safetensors", "tokenizer/merges.txt",
            "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
            "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
            "vae/diffusion_pytorch_model.safetensors");

    @TempDir
    Path dir;
    private FakeHub hub;
    private FakeHub.Repo repo;
    private Path models;
    private ByteArrayOutputStream err;

    @BeforeEach
    void setUp() throws IOException {
        hub = new FakeHub();
        repo = hub.add(REPO, Golden.path("pipeline"), decoys(), false);
        models = dir.resolve("models");
        err = new ByteArrayOutputStream();
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    /** Files real SD repos carry that Easel must not download, and fp16 variants of unet and vae. */
    private Map<String, byte[]> decoys() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        Random r = new Random(7);
        byte[] junk = new byte[200_000];
        r.nextBytes(junk);
        m.put(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n".getBytes(StandardCharsets.UTF_8));
        m.put("README.md", "---\nlicense: creativeml-openrail-m\n---\n# tiny\n".getBytes(StandardCharsets.UTF_8));
        m.put("unet/diffusion_pytorch_model.bin", junk);
        m.put("text_encoder/pytorch_model.bin", junk);
        m.put("text_encoder/flax_model.msgpack", junk);
        m.put("safety_checker/config.json", "{}".getBytes(StandardCharsets.UTF_8));
        m.put("safety_checker/model.safetensors", junk);
        m.put("feature_extractor/preprocessor_config.json", "{}".getBytes(StandardCharsets.UTF_8));
        m.put("onnx/unet/model.onnx", junk);
        m.put("v1-5-pruned-emaonly.safetensors", junk);
        m.put("v1-5-pruned.ckpt", junk);
        m.put("unet/diffusion_pytorch_model.fp16.safetensors", half(Golden.path("pipeline/unet/diffusion_pytorch_model.safetensors")));
        m.put("vae/diffusion_pytorch_model.fp16.safetensors", half(Golden.path("pipeline/vae/diffusion_pytorch_model.safetensors")));
        return m;
    }

    /** The same tensors in float16, as a repo's fp16 variant holds them. */
    private byte[] half(Path f32) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        try (SafetensorsFile f = SafetensorsFile.open(f32)) {
            for (TensorInfo t : f.tensors().values()) {
                w.putF16(t.name(), t.shape(), f.readFloats(t.name()));
            }
        }
        Path out = Files.createTempFile(dir, "half", ".safetensors");
        w.write(out);
        return Files.readAllBytes(out);
    }

    private ModelPuller puller(String token, int attempts) {
        return new ModelPuller(new HubClient(hub.endpoint(), token, 5_000, 5_000), new ModelStore(models),
                new ProgressPrinter(new PrintStream(err, true, StandardCharsets.UTF_8), ProgressPrinter.Mode.LINES,
                        System::nanoTime),
                new ModelPuller.Settings(attempts, Duration.ofMillis(10)), Clock.systemUTC());
    }

    private List<String> filesUnder(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted()
                    .toList();
        }
    }

    private void assertLoads(Path model, String variant) throws IOException {
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(model, Device.cpu(), DataType.FLOAT32, variant)) {
            assertEquals(model.getFileName().toString(), p.name());
            assertEquals(32, p.unet().config().crossAttentionDim());
        }
    }

    @Test
    void pullsOnlyWhatThePipelineNeedsVerifiesItAndTheFolderLoads() throws Exception {
        // when pulling the repo
        ModelPuller.Result r = puller(null, 3).pull(REPO, null, null, null, false);
        // then exactly the needed files are installed under the repo's name, byte for byte
        Path model = models.resolve("tiny-sd");
        assertEquals(model, r.dir());
        assertEquals(repo.commit(), r.commit());
        List<String> installed = filesUnder(model);
        List<String> expected = new java.util.ArrayList<>(NEEDED);
        expected.add(ModelManifest.FILE);
        expected.sort(null);
        assertEquals(expected, installed);
        for (String f : NEEDED) {
            assertEquals(-1, Files.mismatch(model.resolve(f), Golden.path("pipeline").resolve(f)), f);
        }
        // and nothing is left half-done
        assertEquals(List.of("tiny-sd"), filesOf(models));
        // and the manifest records the source, commit, licence and every file's hash
        ModelManifest m = ModelManifest.read(model);
        assertEquals("hub", m.source());
        assertEquals(REPO, m.origin());
        assertEquals("main", m.revision());
        assertEquals(repo.commit(), m.commit());
        assertEquals("creativeml-openrail-m", m.license());
        ModelManifest.Entry unet = m.files().stream().filter(e -> e.path().equals(
                "unet/diffusion_pytorch_model.safetensors")).findFirst().orElseThrow();
        assertEquals(FakeHub.sha256Hex(repo.files().get("unet/diffusion_pytorch_model.safetensors")), unet.sha256());
        // the token-less requests: one info call, config files through the relative redirect, weights via the CDN
        assertTrue(hub.requests().stream().anyMatch(q -> q.server().equals("hub")
                && q.path().equals("/api/models/" + REPO + "/revision/main")));
        assertTrue(hub.requests().stream().anyMatch(q -> q.path().startsWith("/api/resolve-cache/models/" + REPO)));
        assertEquals(3, hub.requests().stream().filter(q -> q.server().equals("cdn")).count(), "three weight files");
        // and the pipeline loads the pulled folder
        assertLoads(model, null);
        String progress = err.toString(StandardCharsets.UTF_8);
        assertTrue(progress.contains("downloading 12 files"), progress);
        assertTrue(progress.contains("100%"), progress);
    }

    private static List<String> filesOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFp16VariantIsPreferredWhereTheRepoHasIt() throws Exception {
        ModelPuller.Result r = puller(null, 3).pull(REPO, "main", "fp16", "tiny-half", false);
        List<String> installed = filesUnder(r.dir());
        assertTrue(installed.contains("unet/diffusion_pytorch_model.fp16.safetensors"));
        assertTrue(installed.contains("vae/diffusion_pytorch_model.fp16.safetensors"));
        assertFalse(installed.contains("unet/diffusion_pytorch_model.safetensors"), "not both");
        assertTrue(installed.contains("text_encoder/model.safetensors"), "no fp16 text encoder: the plain one");
        assertEquals(List.of("text_encoder: no fp16 variant in the repo; using the plain weights"), r.notes());
        assertEquals("fp16", ModelManifest.read(r.dir()).variant());
        assertLoads(r.dir(), "fp16");
    }

    @Test
    void aDroppedConnectionIsResumedWithARangeInTheSameRun() throws Exception {
        // given a CDN that cuts the unet transfer after 1 MiB, once
        hub.dropConnection(repo, "unet/diffusion_pytorch_model.safetensors", 1 << 20, 1);
        // when pulling
        ModelPuller.Result r = puller(null, 3).pull(REPO, null, null, null, false);
        // then the second request asked for the rest only, and the file is intact
        String sha = FakeHub.sha256Hex(repo.files().get("unet/diffusion_pytorch_model.safetensors"));
        List<FakeHub.Request> unet = hub.requests().stream().filter(q -> q.server().equals("cdn")
                && q.path().contains(sha)).toList();
        assertEquals(2, unet.size());
        assertNull(unet.get(0).range());
        assertEquals("bytes=1048576-", unet.get(1).range());
        assertEquals(-1, Files.mismatch(r.dir().resolve("unet/diffusion_pytorch_model.safetensors"),
                Golden.path("pipeline/unet/diffusion_pytorch_model.safetensors")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("retrying from byte 1048576"));
    }

    @Test
    void anInterruptedPullInstallsNothingAndTheNextRunResumesWhereItStopped() throws Exception {
        // given a CDN that keeps cutting the vae transfer after 300,000 bytes
        hub.dropConnection(repo, "vae/diffusion_pytorch_model.safetensors", 300_000, 2);
        // when a pull with 2 attempts per file runs out of attempts
        PullException e = assertThrows(PullException.class, () -> puller(null, 2).pull(REPO, null, null, null, false));
        // then it names the file and says how to go on, and no model is installed
        assertTrue(e.getMessage().startsWith("vae/diffusion_pytorch_model.safetensors: download interrupted at"),
                e.getMessage());
        assertTrue(e.getMessage().contains("run the same command again to resume"), e.getMessage());
        assertFalse(Files.exists(models.resolve("tiny-sd")));
        Path part = models.resolve(".partial-tiny-sd/vae/diffusion_pytorch_model.safetensors.part");
        assertEquals(600_000, Files.size(part), "two transfers of 300,000 bytes kept");
        // when the network is healthy again and the same command runs
        hub.heal();
        hub.clearRequests();
        ModelPuller.Result r = puller(null, 2).pull(REPO, null, null, null, false);
        // then only the missing part of the vae was asked for, nothing already complete was fetched again
        String vaeSha = FakeHub.sha256Hex(repo.files().get("vae/diffusion_pytorch_model.safetensors"));
        List<FakeHub.Request> cdn = hub.requests().stream().filter(q -> q.server().equals("cdn")).toList();
        assertEquals(1, cdn.size(), "only the vae: " + cdn);
        assertTrue(cdn.get(0).path().contains(vaeSha));
        assertEquals("bytes=600000-", cdn.get(0).range());
        assertEquals(0, r.downloadedBytes() - (repo.files().get("vae/diffusion_pytorch_model.safetensors").length - 600_000));
        assertEquals(-1, Files.mismatch(r.dir().resolve("vae/diffusion_pytorch_model.safetensors"),
                Golden.path("pipeline/vae/diffusion_pytorch_model.safetensors")));
        assertFalse(Files.exists(models.resolve(".partial-tiny-sd")));
        assertLoads(r.dir(), null);
    }

    @Test
    void aCorruptFileIsNamedDeletedAndNothingIsInstalled() throws Exception {
        hub.corrupt(repo, "vae/diffusion_pytorch_model.safetensors");
        PullException e = assertThrows(PullException.class, () -> puller(null, 3).pull(REPO, null, null, null, false));
        assertTrue(e.getMessage().startsWith("vae/diffusion_pytorch_model.safetensors: sha256 mismatch: expected "
                + FakeHub.sha256Hex(repo.files().get("vae/diffusion_pytorch_model.safetensors")) + ", got "), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was installed"));
        assertFalse(Files.exists(models.resolve("tiny-sd")), "no half model");
        Path staging = models.resolve(".partial-tiny-sd");
        assertFalse(Files.exists(staging.resolve("vae/diffusion_pytorch_model.safetensors.part")), "the bad bytes are gone");
        assertFalse(Files.exists(staging.resolve("vae/diffusion_pytorch_model.safetensors")));
        // a later run with a healthy CDN completes
        hub.heal();
        assertLoads(puller(null, 3).pull(REPO, null, null, null, false).dir(), null);
    }

    @Test
    void withoutBlobMetadataTheLinkedEtagStillCarriesTheSha256() throws Exception {
        // given a hub whose file list has no sizes or hashes, and a CDN that corrupts the unet
        hub.omitBlobs = true;
        hub.corrupt(repo, "unet/diffusion_pytorch_model.safetensors");
        // then the X-Linked-Etag of the resolve redirect is the checksum the download is held to
        PullException e = assertThrows(PullException.class, () -> puller(null, 3).pull(REPO, null, null, null, false));
        assertTrue(e.getMessage().startsWith("unet/diffusion_pytorch_model.safetensors: sha256 mismatch: expected "
                + FakeHub.sha256Hex(repo.files().get("unet/diffusion_pytorch_model.safetensors"))), e.getMessage());
        assertFalse(Files.exists(models.resolve("tiny-sd")));
        // and with a healthy CDN the pull completes and the manifest records the hashes from the ETags
        hub.heal();
        ModelPuller.Result r = puller(null, 3).pull(REPO, null, null, null, false);
        ModelManifest.Entry vae = ModelManifest.read(r.dir()).files().stream()
                .filter(x -> x.path().equals("vae/diffusion_pytorch_model.safetensors")).findFirst().orElseThrow();
        assertEquals(FakeHub.sha256Hex(repo.files().get("vae/diffusion_pytorch_model.safetensors")), vae.sha256());
        assertLoads(r.dir(), null);
    }

    @Test
    void gatedReposNeedAValidTokenAndTheTokenNeverGoesToTheCdn() throws Exception {
        hub.add("gated-org/tiny-gated", Golden.path("pipeline"), Map.of(), true);
        HubException none = assertThrows(HubException.class,
                () -> puller(null, 1).pull("gated-org/tiny-gated", null, null, null, false));
        assertEquals(401, none.status());
        assertEquals("gated-org/tiny-gated is a gated model (401): accept its licence on"
                + " https://huggingface.co/gated-org/tiny-gated while logged in, then set HF_TOKEN to an access token"
                + " of that account (https://huggingface.co/settings/tokens) and run the command again", none.getMessage());
        HubException wrong = assertThrows(HubException.class,
                () -> puller("hf_wrong", 1).pull("gated-org/tiny-gated", null, null, null, false));
        assertEquals(401, wrong.status());
        assertTrue(wrong.getMessage().startsWith("the hub rejected HF_TOKEN (401: invalid credentials)"),
                wrong.getMessage());
        assertFalse(Files.exists(models.resolve("tiny-gated")));

        hub.clearRequests();
        ModelPuller.Result r = puller(FakeHub.TOKEN, 1).pull("gated-org/tiny-gated", null, null, null, false);
        assertLoads(r.dir(), null);
        for (FakeHub.Request q : hub.requests()) {
            if (q.server().equals("hub")) {
                assertEquals("Bearer " + FakeHub.TOKEN, q.authorization(), q.path());
            } else {
                assertNull(q.authorization(), "the token must not leave the hub's origin: " + q.path());
            }
        }
    }

    @Test
    void missingReposRevisionsAndWrongKindsAreExplained() throws Exception {
        HubException missing = assertThrows(HubException.class,
                () -> puller(FakeHub.TOKEN, 1).pull("nobody/nothing", null, null, null, false));
        assertEquals(404, missing.status());
        assertEquals("model nobody/nothing not found on " + hub.endpoint() + " (404): check the id, and that the"
                + " account of HF_TOKEN can read it", missing.getMessage());
        HubException anonymous = assertThrows(HubException.class,
                () -> puller(null, 1).pull("nobody/nothing", null, null, null, false));
        assertEquals(401, anonymous.status(), "the hub hides missing repos behind 401 without a token");
        assertTrue(anonymous.getMessage().contains("not found") && anonymous.getMessage().contains("set HF_TOKEN"));
        HubException rev = assertThrows(HubException.class, () -> puller(null, 1).pull(REPO, "v9", null, null, false));
        assertTrue(rev.getMessage().startsWith("revision 'v9' of easel-test/tiny-sd not found"), rev.getMessage());

        Path xl = dir.resolve("xl");
        copyTree(Golden.path("pipeline"), xl);
        Files.writeString(xl.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\"}");
        hub.add("someone/xl", xl, Map.of(), false);
        hub.clearRequests();
        PullException kind = assertThrows(PullException.class,
                () -> puller(null, 1).pull("someone/xl", null, null, null, false));
        assertEquals("someone/xl is a StableDiffusionXLPipeline model; Easel runs Stable Diffusion 1.x/2.x"
                + " (StableDiffusionPipeline) models only", kind.getMessage());
        assertEquals(0, hub.requests().stream().filter(q -> q.server().equals("cdn")).count(), "no weights fetched");

        Path pickles = dir.resolve("pickles");
        copyTree(Golden.path("pipeline"), pickles);
        Files.delete(pickles.resolve("unet/diffusion_pytorch_model.safetensors"));
        Files.write(pickles.resolve("unet/diffusion_pytorch_model.bin"), new byte[]{1, 2, 3});
        hub.add("someone/pickles", pickles, Map.of(), false);
        PullException bin = assertThrows(PullException.class,
                () -> puller(null, 1).pull("someone/pickles", null, null, null, false));
        assertTrue(bin.getMessage().startsWith("someone/pickles: no safetensors weights for unet"), bin.getMessage());
        assertTrue(bin.getMessage().contains("only .bin (pickle) weights"));

        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> puller(null, 1).pull("not-a-repo-id", null, null, null, false));
        assertTrue(id.getMessage().contains("expected owner/name"));
    }

    @Test
    void anInstalledModelIsNotOverwrittenUnlessAsked() throws Exception {
        puller(null, 1).pull(REPO, null, null, null, false);
        PullException again = assertThrows(PullException.class, () -> puller(null, 1).pull(REPO, null, null, null, false));
        assertTrue(again.getMessage().contains("already installed") && again.getMessage().contains("--force"));
        ModelPuller.Result r = puller(null, 1).pull(REPO, null, "fp16", null, true);
        assertTrue(Files.exists(r.dir().resolve("unet/diffusion_pytorch_model.fp16.safetensors")), "replaced");
        assertFalse(Files.exists(r.dir().resolve("unet/diffusion_pytorch_model.safetensors")));
        assertEquals(List.of("tiny-sd"), filesOf(models), "no leftovers of the old copy");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
