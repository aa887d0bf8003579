package dev.easel.sd.pipelines;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/** Chooses the device and precision: CUDA in float16 when a GPU is present, the CPU in float32 otherwise. */
public final class Devices {
    private Devices() {
    }

    /** A resolved choice, with the reason when a request could not be honoured. */
    public record Choice(Device device, DataType dtype, String note) {
        public String describe() {
            return (device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu") + " " + (dtype == DataType.FLOAT16 ? "fp16" : "fp32")
                    + (note.isEmpty() ? "" : " (" + note + ")");
        }
    }

    /**
     * @param device    auto | cpu | cuda | cuda:N
     * @param precision auto | fp16 | fp32 (auto: fp16 on CUDA, fp32 on CPU; fp16 is refused on the CPU)
     */
    public static Choice choose(String device, String precision) {
        String d = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
        String p = precision == null ? "auto" : precision.trim().toLowerCase(Locale.ROOT);
        if (!p.equals("auto") && !p.equals("fp16") && !p.equals("fp32")) {
            throw new IllegalArgumentException("precision '" + precision + "' is not one of auto, fp16, fp32");
        }
        int gpus = gpuCount();
        Device dev;
        String note = "";
        if (d.equals("cpu")) {
            dev = Device.cpu();
        } else if (d.equals("auto")) {
            dev = gpus > 0 ? Device.gpu() : Device.cpu();
            if (gpus == 0) {
                note = "no CUDA GPU found";
            }
        } else if (d.equals("cuda") || d.startsWith("cuda:")) {
            int id = d.equals("cuda") ? 0 : parseId(d);
            if (id >= gpus) {
                throw new IllegalArgumentException("device '" + device + "' requested but " + gpus
                        + " CUDA GPU(s) are visible to libtorch (is the CUDA build of libtorch installed? see README)");
            }
            dev = Device.gpu(id);
        } else {
            throw new IllegalArgumentException("device '" + device + "' is not one of auto, cpu, cuda, cuda:N");
        }
        DataType dtype;
        if (p.equals("fp16")) {
            if (!dev.isGpu()) {
                throw new IllegalArgumentException("fp16 needs a CUDA device; the CPU runs fp32");
            }
            dtype = DataType.FLOAT16;
        } else if (p.equals("fp32")) {
            dtype = DataType.FLOAT32;
        } else {
            dtype = dev.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        }
        return new Choice(dev, dtype, note);
    }

    private static int parseId(String d) {
        try {
            return Integer.parseInt(d.substring(5));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device '" + d + "': expected cuda:N with a number N");
        }
    }

    static int gpuCount() {
        try {
            return Engine.getInstance().getGpuCount();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
