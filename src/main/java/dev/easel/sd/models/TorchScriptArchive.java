package dev.easel.sd.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive, the zip that {@code torch.jit.save} produces and
 * {@code torch::jit::load} reads, for a module without parameters or buffers whose methods are
 * given as TorchScript source. The layout (every record uncompressed, all under one top folder):
 * <pre>
 * archive/data.pkl          pickle (protocol 2) of the module object: __torch__.Name with {"training": False}
 * archive/code/__torch__.py the class definition: "class Name(Module):" + attributes + methods
 * archive/constants.pkl     pickle of the constants table: an empty tuple
 * archive/version           file format version ("3", the oldest that torch 2.x still writes)
 * archive/.data/version     the same version, where torch 2.x readers look first
 * archive/byteorder         "little"
 * </pre>
 * The loader resolves the pickled global {@code __torch__.Name} by compiling
 * {@code code/__torch__.py}; an object without {@code __setstate__} is rebuilt from the pickled
 * dict, one entry per declared attribute, so the dict holds exactly {@code training}.
 */
final class TorchScriptArchive {
    static final String FORMAT_VERSION = "3";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    // Pickle opcodes (Python's pickle protocol 2, the subset torch's unpickler accepts).
    private static final int PROTO = 0x80;
    private static final int GLOBAL = 'c';
    private static final int EMPTY_TUPLE = ')';
    private static final int NEWOBJ = 0x81;
    private static final int EMPTY_DICT = '}';
    private static final int BINUNICODE = 'X';
    private static final int NEWFALSE = 0x89;
    private static final int SETITEM = 's';
    private static final int BUILD = 'b';
    private static final int STOP = '.';

    private TorchScriptArchive() {
    }

    /**
     * @param className the module class, a Python identifier (it becomes {@code __torch__.className})
     * @param methods   the class body after the attribute declarations: {@code def} blocks indented
     *                  by four spaces, each with typed arguments and a return annotation
     * @return the archive's bytes
     */
    static byte[] module(String className, String methods) {
        if (!IDENTIFIER.matcher(className).matches()) {
            throw new IllegalArgumentException("module class name '" + className
                    + "' is not a Python identifier (letters, digits, _; not starting with a digit)");
        }
        String source = "class " + className + "(Module):\n"
                + "    __parameters__ = []\n"
                + "    __buffers__ = []\n"
                + "    training : bool\n"
                + methods;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            // The first record's folder names the archive: every lookup is relative to "archive/".
            stored(zip, "archive/data.pkl", modulePickle(className));
            stored(zip, "archive/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, "archive/constants.pkl", emptyTuplePickle());
            stored(zip, "archive/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            stored(zip, "archive/.data/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            stored(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * {@code __torch__.<className>} object with state {@code {"training": False}}:
     * GLOBAL, EMPTY_TUPLE, NEWOBJ (torch's unpickler drops the tuple and keeps the class),
     * then the state dict and BUILD, which hands the dict to the object loader.
     */
    static byte[] modulePickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(PROTO);
        p.write(2);
        p.write(GLOBAL);
        p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.UTF_8));
        p.write(EMPTY_TUPLE);
        p.write(NEWOBJ);
        p.write(EMPTY_DICT);
        writeString(p, "training");
        p.write(NEWFALSE);
        p.write(SETITEM);
        p.write(BUILD);
        p.write(STOP);
        return p.toByteArray();
    }

    /** The constants table of a module that has none: {@code ()}. */
    static byte[] emptyTuplePickle() {
        return new byte[]{(byte) PROTO, 2, EMPTY_TUPLE, STOP};
    }

    /** BINUNICODE: opcode, 4-byte little-endian length, UTF-8 bytes. */
    private static void writeString(ByteArrayOutputStream p, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        p.write(BINUNICODE);
        int n = utf8.length;
        p.write(n);
        p.write(n >>> 8);
        p.write(n >>> 16);
        p.write(n >>> 24);
        p.writeBytes(utf8);
    }

    /** An uncompressed record with a fixed timestamp, so that equal sources give equal archives. */
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0));
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
