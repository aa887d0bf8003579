package dev.easel.sd.models;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused TorchScript kernels against the op chains (the reference), the archive they are
 * loaded from, the mode switch with its fallback, and the golden UNet/VAE cases run fused.
 */
class TorchScriptKernelsTest {
    static final double KERNEL_TOLERANCE = 1e-5;
    static final double GOLDEN_TOLERANCE = 1e-4;

    static TorchScriptKernels kernels;
    KernelMode modeBefore;

    @BeforeAll
    static void loadKernels() {
        TorchScriptKernels.Load load = TorchScriptKernels.load();
        assertInstanceOf(TorchScriptKernels.Loaded.class, load,
                () -> "kernels did not load: " + ((TorchScriptKernels.Unavailable) load).reason());
        kernels = ((TorchScriptKernels.Loaded) load).kernels();
    }

    @AfterAll
    static void closeKernels() {
        kernels.close();
    }

    @BeforeEach
    void rememberMode() {
        modeBefore = Kernels.mode();
    }

    @AfterEach
    void restoreMode() {
        Kernels.setMode(modeBefore);
        Kernels.closeShared();
    }

    // ---- the archive -------------------------------------------------------------------------

    @Test
    void archiveHasTheTorchScriptLayoutAndIsWrittenOncePerProcess() throws IOException {
        // given the archive of this process
        Path first = TorchScriptKernels.archive();
        // when asked again
        Path second = TorchScriptKernels.archive();
        // then it is the same file, and its records are the TorchScript zip layout
        assertEquals(first, second);
        Map<String, byte[]> records = new HashMap<>();
        List<String> order = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(first)))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                order.add(e.getName());
                records.put(e.getName(), zip.readAllBytes());
            }
        }
        assertEquals(List.of("archive/data.pkl", "archive/code/__torch__.py", "archive/constants.pkl",
                "archive/version", "archive/.data/version", "archive/byteorder"), order);
        assertEquals("3\n", new String(records.get("archive/version"), StandardCharsets.US_ASCII));
        assertEquals("little", new String(records.get("archive/byteorder"), StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[]{(byte) 0x80, 2, ')', '.'}, records.get("archive/constants.pkl"));
        // PROTO 2, GLOBAL '__torch__ EaselKernels', EMPTY_TUPLE, NEWOBJ, {'training': False}, BUILD, STOP
        byte[] expectedPickle = concat(new byte[]{(byte) 0x80, 2, 'c'},
                "__torch__\nEaselKernels\n".getBytes(StandardCharsets.US_ASCII),
                new byte[]{')', (byte) 0x81, '}', 'X', 8, 0, 0, 0},
                "training".getBytes(StandardCharsets.US_ASCII),
                new byte[]{(byte) 0x89, 's', 'b', '.'});
        assertArrayEquals(expectedPickle, records.get("archive/data.pkl"));
        String code = new String(records.get("archive/code/__torch__.py"), StandardCharsets.UTF_8);
        assertTrue(code.startsWith("class EaselKernels(Module):\n    __parameters__ = []\n"), code);
        assertTrue(code.contains("    def sdpa(self, q: Tensor, k: Tensor, v: Tensor, scale: float) -> Tensor:\n"), code);
    }

    @Test
    void invalidClassNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchScriptArchive.module("1bad name", TorchScriptKernels.METHODS));
        assertTrue(e.getMessage().contains("'1bad name'"), e.getMessage());
    }

    // ---- kernels against the op chains ---------------------------------------------------------

    @ParameterizedTest(name = "B={0} h={1} N={2} M={3} d={4}")
    @CsvSource({
            "1, 8, 64, 64, 40",   // self-attention, SD 1.5 head size
            "2, 8, 64, 77, 40",   // cross-attention with the 77 CLIP tokens (M != N)
            "2, 5, 24, 77, 64",   // SD 2.x head size
            "1, 1, 1, 3, 8",      // a single query
            "3, 2, 33, 17, 80",   // odd lengths, d = 80
    })
    void sdpaMatchesOpChain(int b, int h, int n, int m, int d) {
        try (NDManager manager = NDManager.newBaseManager()) {
            // given random q, k, v
            Engine.getInstance().setRandomSeed(1000 + n + m);
            NDArray q = manager.randomNormal(new Shape(b, h, n, d));
            NDArray k = manager.randomNormal(new Shape(b, h, m, d));
            NDArray v = manager.randomNormal(new Shape(b, h, m, d));
            float scale = (float) (1 / Math.sqrt(d));
            // when attending fused and by the op chain
            NDArray fused = kernels.sdpa().attend(q, k, v, scale, false);
            NDArray reference = AttentionKernel.OP_CHAIN.attend(q, k, v, scale, false);
            // then shapes agree and values agree within 1e-5
            assertEquals(new Shape(b, h, n, d), fused.getShape());
            assertSame(manager, fused.getManager());
            double err = maxAbsDiff(fused, reference);
            System.out.printf("sdpa B=%d h=%d N=%d M=%d d=%d: max abs error %.3g%n", b, h, n, m, d, err);
            assertTrue(err < KERNEL_TOLERANCE, () -> "max abs error " + err);
        }
    }

    @Test
    void sdpaUsesTheScale() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray q = manager.randomNormal(new Shape(1, 2, 6, 8));
            NDArray k = manager.randomNormal(new Shape(1, 2, 9, 8));
            NDArray v = manager.randomNormal(new Shape(1, 2, 9, 8));
            // a scale other than 1/sqrt(d) must give the op chain's result with that scale
            NDArray fused = kernels.attend(q, k, v, 2.5f, false);
            assertTrue(maxAbsDiff(fused, AttentionKernel.OP_CHAIN.attend(q, k, v, 2.5f, false)) < KERNEL_TOLERANCE);
            assertTrue(maxAbsDiff(fused, AttentionKernel.OP_CHAIN.attend(q, k, v, (float) (1 / Math.sqrt(8)), false)) > 1e-2);
        }
    }

    @Test
    void sdpaUpcastComputesFloat16InputsInFloat32() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // given float16 q, k, v
            Engine.getInstance().setRandomSeed(11);
            NDArray q = manager.randomNormal(new Shape(2, 4, 16, 40)).toType(DataType.FLOAT16, false);
            NDArray k = manager.randomNormal(new Shape(2, 4, 77, 40)).toType(DataType.FLOAT16, false);
            NDArray v = manager.randomNormal(new Shape(2, 4, 77, 40)).toType(DataType.FLOAT16, false);
            float scale = (float) (1 / Math.sqrt(40));
            // when attending with upcast
            NDArray fused = kernels.attend(q, k, v, scale, true);
            // then the result is float16 and equals float32 attention over the same values, rounded to float16
            assertEquals(DataType.FLOAT16, fused.getDataType());
            NDArray exact = AttentionKernel.OP_CHAIN.attend(q.toType(DataType.FLOAT32, false),
                    k.toType(DataType.FLOAT32, false), v.toType(DataType.FLOAT32, false), scale, false);
            double err = maxAbsDiff(fused, exact);
            System.out.printf("sdpa float16 upcast: max abs error %.3g against float32%n", err);
            assertTrue(err < 2e-3, () -> "max abs error " + err); // float16 has 11 significant bits
        }
    }

    @ParameterizedTest(name = "{0} groups={1} silu={2}")
    @CsvSource({
            "1x320x16x16, 32, false",
            "1x320x16x16, 32, true",
            "2x64x8x12, 32, true",
            "2x6x5x7, 3, false",
            "3x32x10, 8, true",       // [B, C, L]
            "2x4x3x3x2, 1, true",     // [B, C, D, H, W], one group
    })
    void groupNormMatchesOpChain(String dims, int groups, boolean silu) {
        long[] shape = java.util.Arrays.stream(dims.split("x")).mapToLong(Long::parseLong).toArray();
        try (NDManager manager = NDManager.newBaseManager()) {
            // given x (not centred, so the mean matters) and an affine γ, β
            Engine.getInstance().setRandomSeed(shape.length * 100 + groups);
            NDArray x = manager.randomNormal(new Shape(shape)).mul(3).add(1.5f);
            long c = shape[1];
            NDArray gamma = manager.randomNormal(new Shape(c)).mul(0.1f).add(1);
            NDArray beta = manager.randomNormal(new Shape(c)).mul(0.1f);
            // when normalising fused and by the op chain
            NDArray fused = kernels.groupNorm(x, groups, gamma, beta, 1e-6f, silu);
            NDArray reference = Ops.groupNorm(x, groups, gamma, beta, 1e-6f);
            if (silu) {
                reference = Ops.silu(reference);
            }
            // then the values agree within 1e-5
            assertEquals(x.getShape(), fused.getShape());
            double err = maxAbsDiff(fused, reference);
            System.out.printf("group norm %s G=%d silu=%b: max abs error %.3g%n", dims, groups, silu, err);
            assertTrue(err < KERNEL_TOLERANCE, () -> "max abs error " + err);
        }
    }

    @Test
    void badShapesGetSpecificMessages() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray q = manager.zeros(new Shape(1, 2, 3, 4));
            NDArray k = manager.zeros(new Shape(1, 2, 5, 4));
            NDArray v = manager.zeros(new Shape(1, 2, 6, 4));
            IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                    () -> kernels.attend(q, k, v, 1, false));
            assertTrue(e1.getMessage().contains("v (1, 2, 6, 4)"), e1.getMessage());
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> kernels.attend(q.reshape(2, 3, 4), k, k, 1, false));
            assertTrue(e2.getMessage().contains("rank 4"), e2.getMessage());
            NDArray x = manager.zeros(new Shape(1, 6, 2, 2));
            NDArray g = manager.ones(new Shape(6));
            IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                    () -> kernels.groupNorm(x, 4, g, g, 1e-5f, false));
            assertTrue(e3.getMessage().contains("6 channels do not divide into 4 groups"), e3.getMessage());
            IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class,
                    () -> kernels.groupNorm(x, 3, manager.ones(new Shape(5)), g, 1e-5f, false));
            assertTrue(e4.getMessage().contains("must both be (6)"), e4.getMessage());
        }
    }

    @Test
    void outputsAreInferenceTensorsThatRejectInPlaceOps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray q = manager.ones(new Shape(1, 1, 2, 4));
            NDArray o = kernels.attend(q, q, q, 0.5f, false);
            // out-of-place ops work; in-place ops are refused by libtorch (documented on the class)
            assertEquals(2f, o.add(1).getFloat(0, 0, 0, 0), 1e-6);
            assertThrows(RuntimeException.class, () -> o.addi(1));
        }
    }

    // ---- unavailability and the mode switch -------------------------------------------------

    @Test
    void brokenArchiveIsReportedUnavailableWithTheReason(@TempDir Path dir) throws IOException {
        // given an archive whose code calls an op libtorch does not have
        Path broken = dir.resolve("broken.pt");
        Files.write(broken, TorchScriptArchive.module(TorchScriptKernels.CLASS_NAME,
                "    def sdpa(self, q: Tensor) -> Tensor:\n        return torch.no_such_attention(q)\n"));
        // when loading it, and a file that does not exist
        TorchScriptKernels.Load load = TorchScriptKernels.load(broken);
        TorchScriptKernels.Load missing = TorchScriptKernels.load(dir.resolve("missing.pt"));
        // then both are Unavailable, with a reason
        TorchScriptKernels.Unavailable u = assertInstanceOf(TorchScriptKernels.Unavailable.class, load);
        System.out.println("broken archive: " + u.reason());
        assertTrue(u.reason().contains("no_such_attention"), u.reason());
        TorchScriptKernels.Unavailable m = assertInstanceOf(TorchScriptKernels.Unavailable.class, missing);
        System.out.println("missing archive: " + m.reason());
        assertFalse(m.reason().isBlank());
    }

    @Test
    void modeParsesAndRejectsUnknownNames() {
        assertEquals(KernelMode.AUTO, KernelMode.parse(" auto "));
        assertEquals(KernelMode.FUSED, KernelMode.parse("FUSED"));
        assertEquals(KernelMode.REFERENCE, KernelMode.parse("Reference"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelMode.parse("fast"));
        assertEquals("unknown kernel mode 'fast' (allowed: auto, fused, reference)", e.getMessage());
    }

    @Test
    void modesSelectTheImplementation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray q = manager.randomNormal(new Shape(1, 2, 10, 8));
            NDArray k = manager.randomNormal(new Shape(1, 2, 7, 8));
            NDArray x = manager.randomNormal(new Shape(2, 8, 4, 4));
            NDArray g = manager.randomNormal(new Shape(8)).add(1);
            NDArray opChain = AttentionKernel.OP_CHAIN.attend(q, k, k, 0.3f, false);
            NDArray fused = kernels.attend(q, k, k, 0.3f, false);
            NDArray gnChain = Ops.silu(Ops.groupNorm(x, 4, g, g, 1e-5f));
            NDArray gnFused = kernels.groupNorm(x, 4, g, g, 1e-5f, true);

            // REFERENCE: bit for bit the op chains, no kernels loaded
            Kernels.setMode(KernelMode.REFERENCE);
            assertTrue(Kernels.fused().isEmpty());
            assertEquals(0.0, maxAbsDiff(Kernels.attend(q, k, k, 0.3f, false), opChain));
            assertEquals(0.0, maxAbsDiff(Kernels.groupNorm(x, 4, g, g, 1e-5f, true), gnChain));

            // FUSED: bit for bit the TorchScript kernels (the shared instance loads on first use)
            Kernels.setMode(KernelMode.FUSED);
            assertEquals(0.0, maxAbsDiff(Kernels.attend(q, k, k, 0.3f, false), fused));
            assertEquals(0.0, maxAbsDiff(Kernels.groupNorm(x, 4, g, g, 1e-5f, true), gnFused));
            TorchScriptKernels shared = Kernels.fused().orElseThrow();
            assertSame(shared, Kernels.fused().orElseThrow(), "one shared instance");

            // AUTO with loadable kernels: fused as well
            Kernels.setMode(KernelMode.AUTO);
            assertEquals(0.0, maxAbsDiff(Kernels.attend(q, k, k, 0.3f, false), fused));

            // closing the shared instance closes its module
            Kernels.closeShared();
            assertTrue(shared.isClosed());
            assertThrows(IllegalStateException.class, () -> shared.attend(q, k, k, 0.3f, false));
        }
    }

    @Test
    void unavailableKernelsFallBackInAutoAndFailInFused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray q = manager.randomNormal(new Shape(1, 2, 10, 8));
            NDArray x = manager.randomNormal(new Shape(2, 8, 4, 4));
            NDArray g = manager.ones(new Shape(8));
            // given a failed load
            Kernels.install(new TorchScriptKernels.Unavailable("engine has no TorchScript support"));

            // AUTO: the op chains, bit for bit, and the reason is kept
            Kernels.setMode(KernelMode.AUTO);
            assertTrue(Kernels.fused().isEmpty());
            assertEquals(0.0, maxAbsDiff(Kernels.attend(q, q, q, 0.3f, false),
                    AttentionKernel.OP_CHAIN.attend(q, q, q, 0.3f, false)));
            assertEquals(0.0, maxAbsDiff(Kernels.groupNorm(x, 4, g, g, 1e-5f, false), Ops.groupNorm(x, 4, g, g, 1e-5f)));
            assertEquals("engine has no TorchScript support", Kernels.unavailableReason().orElseThrow());

            // FUSED: a clear error naming the reason
            Kernels.setMode(KernelMode.FUSED);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Kernels.groupNorm(x, 4, g, g, 1e-5f, false));
            assertEquals("kernel mode 'fused' but the TorchScript kernels did not load: engine has no TorchScript support",
                    e.getMessage());
        }
    }

    // ---- golden models, fused and by op chains --------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FUSED", "REFERENCE"})
    void unetGoldenB8CfgPassesInEachMode(KernelMode mode) throws IOException {
        Kernels.setMode(mode); // GroupNorm and the default attention kernel follow the mode
        String kase = "b8_cfg";
        try (NDManager manager = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(Golden.path("pipeline/unet"), manager, DataType.FLOAT32, null);
             SafetensorsFile g = SafetensorsFile.open(Golden.path("unet/io_sd15.safetensors"))) {
            NDArray sample = g.toNDArray(manager, kase + ".sample", DataType.FLOAT32);
            String tName = kase + ".timestep";
            NDArray t = g.toNDArray(manager, tName, g.info(tName).dtype().isFloat() ? DataType.FLOAT32 : DataType.INT64);
            NDArray ctx = g.toNDArray(manager, kase + ".encoder_hidden_states", DataType.FLOAT32);
            NDArray out = unet.forward(sample, t, ctx);
            float[] expected = g.readFloats(kase + ".out");
            double err = Golden.maxAbsDiff(out.toFloatArray(), expected);
            System.out.printf("unet %s %s: max abs error %.3g (max |out| %.3g)%n", kase, mode, err, Golden.maxAbs(expected));
            assertTrue(err < GOLDEN_TOLERANCE, () -> kase + ": max abs error " + err);
            assertEquals(mode == KernelMode.FUSED, Kernels.fused().isPresent());

            // the explicit route: an attention kernel set on the model, whatever the mode
            unet.setAttentionKernel(kernels.sdpa());
            double errExplicit = Golden.maxAbsDiff(unet.forward(sample, t, ctx).toFloatArray(), expected);
            assertTrue(errExplicit < GOLDEN_TOLERANCE, () -> kase + " with sdpa(): max abs error " + errExplicit);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"b1_8x8, FUSED", "b2_8x12, FUSED", "b2_8x12, REFERENCE"})
    void vaeDecodeGoldenPassesInEachMode(String kase, KernelMode mode) throws IOException {
        Kernels.setMode(mode); // attention layers keep their default kernel, Kernels.ATTENTION
        try (NDManager manager = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(Golden.path("pipeline/vae"), manager, DataType.FLOAT32, null);
             SafetensorsFile g = SafetensorsFile.open(Golden.path("vae/io.safetensors"))) {
            NDArray out = vae.decode(g.toNDArray(manager, "decode." + kase + ".latents", DataType.FLOAT32));
            float[] expected = g.readFloats("decode." + kase + ".sample");
            double err = Golden.maxAbsDiff(out.toFloatArray(), expected);
            System.out.printf("vae decode %s %s: max abs error %.3g (max |out| %.3g)%n", kase, mode, err, Golden.maxAbs(expected));
            assertTrue(err < GOLDEN_TOLERANCE, () -> kase + ": " + err);
            assertEquals(mode == KernelMode.FUSED, Kernels.fused().isPresent());
        }
    }

    private static double maxAbsDiff(NDArray a, NDArray b) {
        return Golden.maxAbsDiff(a.toType(DataType.FLOAT32, false).toFloatArray(), b.toType(DataType.FLOAT32, false).toFloatArray());
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
