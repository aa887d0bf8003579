package dev.easel.sd.pipelines;

/** A run stopped between steps because its owner cancelled it. */
public class GenerationCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GenerationCancelledException(int step, int total) {
        super("cancelled after step " + step + " of " + total);
    }
}
