package dev.easel.adapter.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.sd.clip.CLIPTextModel;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import dev.easel.sd.weights.DType;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.sd.weights.SafetensorsWriter;
import dev.easel.sd.weights.TensorInfo;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code easel models import}: single-file LDM checkpoints made from the golden diffusers models by the inverse
 * mapping ({@link LdmNames}), imported back; the result must hold the very same tensors and give the very same
 * outputs, and match the reference library's outputs.
 */
class CheckpointImportTest {
    private static final double TOLERANCE = 1e-4;
    @TempDir
    Path dir;

    private static Map<String, long[]> shapes(Path safetensors) throws IOException {
        Map<String, long[]> m = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(safetensors)) {
            f.tensors().values().forEach(t -> m.put(t.name(), t.shape()));
        }
        return m;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /** Writes the LDM tensors, each the concatenation of its diffusers sources' bytes, plus {@code extra}. */
    private static void writeLdm(Path out, Map<String, LdmNames.Ldm> ldm, SafetensorsFile source, SafetensorsWriter w)
            throws IOException {
        for (LdmNames.Ldm t : ldm.values()) {
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            for (String from : t.from()) {
                data.write(bytes(source.raw(from)));
            }
            w.putRaw(t.name(), DType.F32, t.shape(), data.toByteArray());
        }
    }

    private ModelStore store() {
        return new ModelStore(dir.resolve("models"));
    }

    private CheckpointImporter importer() {
        return new CheckpointImporter(store(), Clock.systemUTC());
    }

    /** The tiny golden SD 1.x pipeline as one original-layout file, with the buffers and EMA bits real files carry. */
    private Path sd1Checkpoint() throws IOException {
        Path g = Golden.path("pipeline");
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile te = SafetensorsFile.open(g.resolve("text_encoder/model.safetensors"));
             SafetensorsFile unet = SafetensorsFile.open(g.resolve("unet/diffusion_pytorch_model.safetensors"));
             SafetensorsFile vae = SafetensorsFile.open(g.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            writeLdm(null, LdmNames.clip(shapes(g.resolve("text_encoder/model.safetensors"))), te, w);
            writeLdm(null, LdmNames.unet(shapes(g.resolve("unet/diffusion_pytorch_model.safetensors")), 1), unet, w);
            writeLdm(null, LdmNames.vae(shapes(g.resolve("vae/diffusion_pytorch_model.safetensors")), 4), vae, w);
        }
        long[] ids = new long[77];
        for (int i = 0; i < 77; i++) {
            ids[i] = i;
        }
        w.putI64("cond_stage_model.transformer.text_model.embeddings.position_ids", new long[]{1, 77}, ids);
        w.putF32("alphas_cumprod", new long[]{1000}, new float[1000]);
        w.putF32("model_ema.decay", new long[]{}, new float[]{0.9999f});
        Path file = dir.resolve("Tiny SD (ldm).safetensors");
        w.write(file);
        return file;
    }

    @Test
    void anSd1CheckpointImportsToTheSameTensorsAndTheSameOutputs() throws Exception {
        // given the golden pipeline written as an original single-file checkpoint
        Path file = sd1Checkpoint();
        // when importing it with the tiny architecture's configs
        CheckpointImporter.Result r = importer().importFile(file, new CheckpointImporter.Options(null, "tiny", null, false));
        // then it is an SD 1.x model under a name made from the file name, installed in one piece
        assertEquals("Tiny-SD-ldm-", r.name());
        assertEquals(CheckpointImporter.Family.SD1, r.family());
        assertEquals(List.of("Tiny-SD-ldm-"), list(dir.resolve("models")));
        Path model = r.dir();
        // and every diffusers tensor is there with its name, shape and exact bytes
        Path g = Golden.path("pipeline");
        for (String c : List.of("text_encoder/model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.safetensors")) {
            assertSameTensors(g.resolve(c), model.resolve(c));
        }
        // the position_ids buffer, noise schedule and EMA scalars were left out
        assertFalse(shapes(model.resolve("text_encoder/model.safetensors")).containsKey(
                "text_model.embeddings.position_ids"));
        // the configs are the architecture's, the scheduler and tokenizer the bundled ones
        for (String c : List.of("unet/config.json", "vae/config.json", "text_encoder/config.json",
                "scheduler/scheduler_config.json")) {
            assertEquals(json(g.resolve(c)), json(model.resolve(c)), c);
        }
        assertEquals("StableDiffusionPipeline", json(model.resolve("model_index.json")).get("_class_name").asText());
        assertEquals("import", ModelManifest.read(model).source());

        // and the loaded model gives exactly the original's outputs, which match the reference library's
        try (StableDiffusionPipeline original = StableDiffusionPipeline.load(g, Device.cpu(), DataType.FLOAT32, null);
             StableDiffusionPipeline imported = StableDiffusionPipeline.load(model, Device.cpu(), DataType.FLOAT32, null);
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(49407, imported.tokenizer().padTokenId());
            compareTextEncoders(original.textEncoder(), imported.textEncoder(), m);
            compareUnets(original, imported, "unet/io_sd15.safetensors", "b2_tvec", m);
            try (SafetensorsFile io = SafetensorsFile.open(Golden.path("vae/io.safetensors"))) {
                NDArray latents = io.toNDArray(m, "decode.b2_8x12.latents", DataType.FLOAT32);
                float[] a = original.vae().decode(latents).toFloatArray();
                float[] b = imported.vae().decode(latents).toFloatArray();
                assertEquals(0.0, Golden.maxAbsDiff(a, b), "vae decode: imported = original, exactly");
                double ref = Golden.maxAbsDiff(b, io.readFloats("decode.b2_8x12.sample"));
                System.out.printf("imported sd1 vae decode vs diffusers: max abs error %.3g%n", ref);
                assertTrue(ref < TOLERANCE);
            }
        }
    }

    private static JsonNode json(Path f) throws IOException {
        return new ObjectMapper().readTree(f.toFile());
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Same names; same bytes; shapes equal (1×1 kernels may come back as [C, C] linear weights). */
    private static void assertSameTensors(Path expected, Path actual) throws IOException {
        try (SafetensorsFile e = SafetensorsFile.open(expected); SafetensorsFile a = SafetensorsFile.open(actual)) {
            assertEquals(new TreeMap<>(e.tensors()).keySet(), new TreeMap<>(a.tensors()).keySet(), actual.toString());
            for (TensorInfo t : e.tensors().values()) {
                TensorInfo u = a.info(t.name());
                assertArrayEquals(t.shape(), u.shape(), t.name());
                assertEquals(t.dtype(), u.dtype());
                assertEquals(e.raw(t.name()), a.raw(t.name()), t.name() + " bytes");
            }
        }
    }

    private static void compareTextEncoders(CLIPTextModel original, CLIPTextModel imported, NDManager m)
            throws IOException {
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("text_encoder/io.safetensors"))) {
            NDArray ids = io.toNDArray(m, "input_ids", DataType.INT64);
            try (CLIPTextModel.Output a = original.forward(ids); CLIPTextModel.Output b = imported.forward(ids)) {
                assertEquals(0.0, Golden.maxAbsDiff(a.lastHiddenState().toFloatArray(),
                        b.lastHiddenState().toFloatArray()), "text encoder: imported = original, exactly");
                double ref = Golden.maxAbsDiff(b.lastHiddenState().toFloatArray(), io.readFloats("last_hidden_state"));
                System.out.printf("imported text encoder vs transformers: max abs error %.3g%n", ref);
                assertTrue(ref < TOLERANCE);
            }
        }
    }

    private static void compareUnets(StableDiffusionPipeline original, StableDiffusionPipeline imported, String io,
                                     String kase, NDManager m) throws IOException {
        try (SafetensorsFile g = SafetensorsFile.open(Golden.path(io))) {
            NDArray sample = g.toNDArray(m, kase + ".sample", DataType.FLOAT32);
            String tName = kase + ".timestep";
            NDArray t = g.toNDArray(m, tName, g.info(tName).dtype().isFloat() ? DataType.FLOAT32 : DataType.INT64);
            NDArray ctx = g.toNDArray(m, kase + ".encoder_hidden_states", DataType.FLOAT32);
            float[] a = original.unet().forward(sample, t, ctx).toFloatArray();
            float[] b = imported.unet().forward(sample, t, ctx).toFloatArray();
            assertEquals(0.0, Golden.maxAbsDiff(a, b), "unet: imported = original, exactly");
            double ref = Golden.maxAbsDiff(b, g.readFloats(kase + ".out"));
            System.out.printf("imported unet (%s %s) vs diffusers: max abs error %.3g%n", io, kase, ref);
            assertTrue(ref < TOLERANCE);
        }
    }

    // ---- SD 2.x / OpenCLIP ----------------------------------------------------------------------------------

    @Test
    void anSd2OpenClipCheckpointGetsItsFusedProjectionsSplitAndItsLastLayerDropped() throws Exception {
        // given an SD 2-shaped tiny model (linear projections) with the golden text encoder in OpenCLIP naming:
        // q/k/v fused into in_proj, one more layer than the pipeline uses, and CLIP's projection head
        Path g = Golden.path("pipeline");
        Path unetDir = Golden.path("unet/sd2_variant");
        Map<String, long[]> te = shapes(g.resolve("text_encoder/model.safetensors"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile teFile = SafetensorsFile.open(g.resolve("text_encoder/model.safetensors"));
             SafetensorsFile unet = SafetensorsFile.open(unetDir.resolve("diffusion_pytorch_model.safetensors"));
             SafetensorsFile vae = SafetensorsFile.open(g.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            writeLdm(null, LdmNames.openClip(te), teFile, w);
            writeLdm(null, LdmNames.unet(shapes(unetDir.resolve("diffusion_pytorch_model.safetensors")), 1), unet, w);
            writeLdm(null, LdmNames.vae(shapes(g.resolve("vae/diffusion_pytorch_model.safetensors")), 4), vae, w);
        }
        Random rnd = new Random(3);
        String extra = "cond_stage_model.model.transformer.resblocks.3.";
        for (String[] t : new String[][]{{"ln_1.weight", "32"}, {"ln_1.bias", "32"}, {"attn.in_proj_weight", "96,32"},
                {"attn.in_proj_bias", "96"}, {"attn.out_proj.weight", "32,32"}, {"attn.out_proj.bias", "32"},
                {"ln_2.weight", "32"}, {"ln_2.bias", "32"}, {"mlp.c_fc.weight", "37,32"}, {"mlp.c_fc.bias", "37"},
                {"mlp.c_proj.weight", "32,37"}, {"mlp.c_proj.bias", "32"}}) {
            long[] shape = java.util.Arrays.stream(t[1].split(",")).mapToLong(Long::parseLong).toArray();
            float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
            w.putF32(extra + t[0], shape, v);
        }
        w.putF32("cond_stage_model.model.text_projection", new long[]{32, 32}, new float[32 * 32]);
        w.putF32("cond_stage_model.model.logit_scale", new long[]{}, new float[]{4.6f});
        Path file = dir.resolve("tiny-sd2.safetensors");
        w.write(file);
        // and a folder with the architecture's configs (no tokenizer: the bundled one is used)
        Path arch = dir.resolve("arch");
        Files.createDirectories(arch.resolve("unet"));
        Files.copy(unetDir.resolve("config.json"), arch.resolve("unet/config.json"));
        for (String c : List.of("vae/config.json", "text_encoder/config.json", "scheduler/scheduler_config.json")) {
            Files.createDirectories(arch.resolve(c).getParent());
            Files.copy(g.resolve(c), arch.resolve(c));
        }
        // when importing it
        CheckpointImporter.Result r = importer().importFile(file, new CheckpointImporter.Options("tiny-sd2",
                arch.toString(), "v_prediction", false));
        // then it is SD 2.x; q, k and v are the original projections, the extra layer is gone
        assertEquals(CheckpointImporter.Family.SD2, r.family());
        assertSameTensors(g.resolve("text_encoder/model.safetensors"), r.dir().resolve("text_encoder/model.safetensors"));
        assertSameTensors(unetDir.resolve("diffusion_pytorch_model.safetensors"),
                r.dir().resolve("unet/diffusion_pytorch_model.safetensors"));
        assertEquals("v_prediction", json(r.dir().resolve("scheduler/scheduler_config.json")).get("prediction_type").asText());
        // and the outputs are exactly the original's (and the reference's)
        Path original = dir.resolve("original");
        Files.createDirectories(original);
        copyTree(g, original);
        Files.copy(unetDir.resolve("config.json"), original.resolve("unet/config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(unetDir.resolve("diffusion_pytorch_model.safetensors"),
                original.resolve("unet/diffusion_pytorch_model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (StableDiffusionPipeline a = StableDiffusionPipeline.load(original, Device.cpu(), DataType.FLOAT32, null);
             StableDiffusionPipeline b = StableDiffusionPipeline.load(r.dir(), Device.cpu(), DataType.FLOAT32, null);
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(0, b.tokenizer().padTokenId(), "SD 2.x pads with '!' (id 0)");
            compareTextEncoders(a.textEncoder(), b.textEncoder(), m);
            compareUnets(a, b, "unet/sd2_variant/io.safetensors", "b2_t801", m);
        }
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

    // ---- full-size key listings -----------------------------------------------------------------------------

    private static Map<String, long[]> parameters(String file) throws IOException {
        Map<String, long[]> m = new LinkedHashMap<>();
        new ObjectMapper().readTree(Golden.path(file).toFile()).properties().forEach(e -> {
            long[] s = new long[e.getValue().size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = e.getValue().get(i).asLong();
            }
            m.put(e.getKey(), s);
        });
        return m;
    }

    private static Map<String, TensorInfo> infos(Map<String, LdmNames.Ldm> ldm) {
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        ldm.values().forEach(t -> {
            long n = java.util.Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b);
            m.put(t.name(), new TensorInfo(t.name(), DType.F16, t.shape(), 0, n * 2));
        });
        return m;
    }

    private static void assertPlanned(Map<String, long[]> expected, Map<String, CheckpointImporter.Planned> got) {
        assertEquals(new TreeMap<>(expected).keySet(), new TreeMap<>(got).keySet());
        expected.forEach((n, s) -> assertArrayEquals(s, got.get(n).target().shape(), n));
    }

    @Test
    void theRealSd15AndSd21KeyListingsMapToTheRealDiffusersParameters() throws Exception {
        String r = "real-checkpoints/";
        for (String model : List.of("sd15", "sd21")) {
            Map<String, long[]> unet = parameters(r + model + "/unet/parameters.json");
            Map<String, long[]> vae = parameters(r + model + "/vae/parameters.json");
            Map<String, long[]> te = parameters(r + model + "/text_encoder/parameters.json");
            Map<String, LdmNames.Ldm> ldm = new LinkedHashMap<>();
            ldm.putAll(LdmNames.unet(unet, 2));
            ldm.putAll(LdmNames.vae(vae, 4));
            ldm.putAll(model.equals("sd15") ? LdmNames.clip(te) : LdmNames.openClip(te));
            Map<String, TensorInfo> tensors = infos(ldm);
            if (model.equals("sd21")) {
                // OpenCLIP ViT-H has 24 layers; SD 2.x uses the first 23
                tensors.put("cond_stage_model.model.transformer.resblocks.23.attn.in_proj_weight", new TensorInfo(
                        "cond_stage_model.model.transformer.resblocks.23.attn.in_proj_weight", DType.F16,
                        new long[]{3072, 1024}, 0, 3072L * 1024 * 2));
                tensors.put("cond_stage_model.model.text_projection", new TensorInfo(
                        "cond_stage_model.model.text_projection", DType.F16, new long[]{1024, 1024}, 0, 1024L * 1024 * 2));
            }
            assertEquals(model.equals("sd15") ? CheckpointImporter.Family.SD1 : CheckpointImporter.Family.SD2,
                    CheckpointImporter.detect("x", tensors, new ArrayList<>()));
            assertEquals(model.equals("sd15") ? 768 : 1024, CheckpointImporter.crossAttentionDim(tensors));
            Map<String, Map<String, CheckpointImporter.Planned>> plan = CheckpointImporter.plan(tensors,
                    new LdmKeys.Layout(2, 4, model.equals("sd15") ? 12 : 23));
            assertPlanned(unet, plan.get("unet"));
            assertPlanned(vae, plan.get("vae"));
            assertPlanned(te, plan.get("text_encoder"));
            System.out.printf("%s: %d LDM tensors → %d unet, %d vae, %d text encoder%n", model, tensors.size(),
                    plan.get("unet").size(), plan.get("vae").size(), plan.get("text_encoder").size());
        }
    }

    @Test
    void canonicalKeysOfRealCheckpointsMapAsDiffusersNamesThem() {
        LdmKeys.Layout sd = new LdmKeys.Layout(2, 4, 23);
        String[][] cases = {
                {"model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight", "unet",
                        "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight"},
                {"model.diffusion_model.input_blocks.3.0.op.weight", "unet", "down_blocks.0.downsamplers.0.conv.weight"},
                {"model.diffusion_model.input_blocks.4.0.skip_connection.weight", "unet",
                        "down_blocks.1.resnets.0.conv_shortcut.weight"},
                {"model.diffusion_model.input_blocks.11.0.out_layers.3.weight", "unet", "down_blocks.3.resnets.1.conv2.weight"},
                {"model.diffusion_model.middle_block.2.emb_layers.1.bias", "unet", "mid_block.resnets.1.time_emb_proj.bias"},
                {"model.diffusion_model.middle_block.1.proj_out.weight", "unet", "mid_block.attentions.0.proj_out.weight"},
                {"model.diffusion_model.output_blocks.2.1.conv.weight", "unet", "up_blocks.0.upsamplers.0.conv.weight"},
                {"model.diffusion_model.output_blocks.5.2.conv.bias", "unet", "up_blocks.1.upsamplers.0.conv.bias"},
                {"model.diffusion_model.output_blocks.8.1.proj_in.weight", "unet", "up_blocks.2.attentions.2.proj_in.weight"},
                {"model.diffusion_model.output_blocks.11.1.transformer_blocks.0.ff.net.0.proj.weight", "unet",
                        "up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj.weight"},
                {"model.diffusion_model.time_embed.2.weight", "unet", "time_embedding.linear_2.weight"},
                {"model.diffusion_model.out.0.bias", "unet", "conv_norm_out.bias"},
                {"first_stage_model.decoder.up.3.upsample.conv.weight", "vae", "decoder.up_blocks.0.upsamplers.0.conv.weight"},
                {"first_stage_model.decoder.up.0.block.0.nin_shortcut.weight", "vae",
                        "decoder.up_blocks.3.resnets.0.conv_shortcut.weight"},
                {"first_stage_model.encoder.down.2.downsample.conv.bias", "vae", "encoder.down_blocks.2.downsamplers.0.conv.bias"},
                {"first_stage_model.encoder.mid.block_2.norm1.weight", "vae", "encoder.mid_block.resnets.1.norm1.weight"},
                {"first_stage_model.decoder.mid.attn_1.proj_out.bias", "vae", "decoder.mid_block.attentions.0.to_out.0.bias"},
                {"first_stage_model.encoder.norm_out.weight", "vae", "encoder.conv_norm_out.weight"},
                {"cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc2.weight", "text_encoder",
                        "text_model.encoder.layers.11.mlp.fc2.weight"},
                {"cond_stage_model.transformer.embeddings.token_embedding.weight", "text_encoder",
                        "text_model.embeddings.token_embedding.weight"},
                {"cond_stage_model.model.transformer.resblocks.22.mlp.c_fc.weight", "text_encoder",
                        "text_model.encoder.layers.22.mlp.fc1.weight"},
                {"cond_stage_model.model.ln_final.bias", "text_encoder", "text_model.final_layer_norm.bias"},
        };
        for (String[] c : cases) {
            List<LdmKeys.Target> t = LdmKeys.map(c[0], new long[]{8, 8}, sd);
            assertEquals(1, t.size(), c[0]);
            assertEquals(c[1], t.get(0).component(), c[0]);
            assertEquals(c[2], t.get(0).name(), c[0]);
        }
        // a 1×1 attention kernel becomes a linear weight
        LdmKeys.Target q = LdmKeys.map("first_stage_model.encoder.mid.attn_1.q.weight", new long[]{512, 512, 1, 1}, sd).get(0);
        assertEquals("encoder.mid_block.attentions.0.to_q.weight", q.name());
        assertArrayEquals(new long[]{512, 512}, q.shape());
        // OpenCLIP's fused in_proj splits into q, k, v thirds; layer 23 and the projection head are not used
        List<LdmKeys.Target> qkv = LdmKeys.map("cond_stage_model.model.transformer.resblocks.22.attn.in_proj_weight",
                new long[]{3072, 1024}, sd);
        assertEquals(List.of("text_model.encoder.layers.22.self_attn.q_proj.weight",
                "text_model.encoder.layers.22.self_attn.k_proj.weight",
                "text_model.encoder.layers.22.self_attn.v_proj.weight"), qkv.stream().map(LdmKeys.Target::name).toList());
        assertArrayEquals(new long[]{1024, 1024}, qkv.get(1).shape());
        assertEquals(List.of(0, 1, 2), qkv.stream().map(LdmKeys.Target::part).toList());
        assertEquals(List.of(), LdmKeys.map("cond_stage_model.model.transformer.resblocks.23.ln_1.weight", new long[]{1024}, sd));
        assertEquals(List.of(), LdmKeys.map("cond_stage_model.model.text_projection", new long[]{1024, 1024}, sd));
        assertEquals(List.of(), LdmKeys.map("model_ema.diffusion_modelinput_blocks00weight", new long[]{320}, sd));
        assertEquals(List.of(), LdmKeys.map("cond_stage_model.transformer.text_model.embeddings.position_ids", new long[]{1, 77}, sd));
        assertEquals("unknown UNet key model.diffusion_model.input_blocks.1.7.x.weight",
                assertThrows(IllegalArgumentException.class, () -> LdmKeys.map(
                        "model.diffusion_model.input_blocks.1.7.x.weight", new long[]{1}, sd)).getMessage());
    }

    // ---- refusals -------------------------------------------------------------------------------------------

    private Path fileWith(String name, Map<String, long[]> tensors) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach((k, s) -> w.putF32(k, s, new float[(int) java.util.Arrays.stream(s).reduce(1, (a, b) -> a * b)]));
        Path f = dir.resolve(name);
        w.write(f);
        return f;
    }

    private String refusal(Path file, CheckpointImporter.Options o) {
        return assertThrows(PullException.class, () -> importer().importFile(file, o)).getMessage();
    }

    @Test
    void checkpointsEaselCannotRunAreRefusedWithTheReasonAndNothingIsLeftBehind() throws Exception {
        CheckpointImporter.Options auto = CheckpointImporter.Options.defaults();
        Path ckpt = dir.resolve("model.ckpt");
        Files.write(ckpt, new byte[]{1});
        assertTrue(refusal(ckpt, auto).startsWith("model.ckpt is a pickle checkpoint, which can run code when loaded"));
        assertEquals("lora.safetensors is a LoRA (a small add-on), not a full model; Easel needs a complete checkpoint",
                refusal(fileWith("lora.safetensors", Map.of("lora_unet_down_blocks_0.lora_down.weight", new long[]{4, 4})), auto));
        assertEquals("xl.safetensors is an SDXL checkpoint; Easel runs Stable Diffusion 1.x/2.x only",
                refusal(fileWith("xl.safetensors", Map.of("model.diffusion_model.input_blocks.0.0.weight", new long[]{1, 4, 1, 1},
                        "conditioner.embedders.0.transformer.text_model.final_layer_norm.weight", new long[]{4})), auto));
        Map<String, long[]> inpaint = new LinkedHashMap<>();
        inpaint.put("model.diffusion_model.input_blocks.0.0.weight", new long[]{8, 9, 3, 3});
        inpaint.put("first_stage_model.encoder.conv_in.weight", new long[]{8, 3, 3, 3});
        inpaint.put("cond_stage_model.transformer.text_model.final_layer_norm.weight", new long[]{8});
        assertEquals("inpaint.safetensors: the UNet takes 9 input channels (an inpainting model); Easel's pipeline needs 4",
                refusal(fileWith("inpaint.safetensors", inpaint), auto));
        Map<String, long[]> mixed = new LinkedHashMap<>();
        mixed.put("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", new long[]{320, 1024});
        mixed.put("first_stage_model.encoder.conv_in.weight", new long[]{8, 3, 3, 3});
        mixed.put("cond_stage_model.transformer.text_model.final_layer_norm.weight", new long[]{768});
        assertTrue(refusal(fileWith("mixed.safetensors", mixed), auto).contains("the file mixes two models"));
        // the tiny model is not SD 1.5: with the sd15 configs the shapes disagree, and the message says how to go on
        Path tiny = sd1Checkpoint();
        String wrong = refusal(tiny, new CheckpointImporter.Options("x", "sd15", null, false));
        assertTrue(wrong.startsWith("Tiny SD (ldm).safetensors does not fit the sd15 architecture:"), wrong);
        assertTrue(wrong.contains("unet: the file has 8 input and 8 output blocks; 4 blocks of 2 layers make 12 and 12"),
                wrong);
        assertTrue(wrong.endsWith("Pass --arch with a diffusers folder (or preset) of this model's architecture."), wrong);
        // same block structure, other widths: the first differing shape is named
        Path other = dir.resolve("other-arch");
        copyTree(Golden.path("pipeline"), other);
        Files.copy(Golden.path("unet/sd2_variant/config.json"), other.resolve("unet/config.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String shapes = refusal(tiny, new CheckpointImporter.Options("x", other.toString(), null, false));
        assertTrue(shapes.contains("unet: time_embedding.linear_1.weight (from model.diffusion_model.time_embed.0.weight)"
                + " is [128, 32] but the architecture needs [64, 16]"), shapes);
        assertTrue(refusal(tiny, auto).contains("cannot tell the architecture (cross-attention width 32"));
        // nothing half-made is left
        assertEquals(List.of(), Files.exists(dir.resolve("models")) ? list(dir.resolve("models")) : List.of());
    }
}
