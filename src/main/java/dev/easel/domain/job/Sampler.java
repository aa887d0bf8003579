package dev.easel.domain.job;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The denoising schedulers a user can pick with {@code --sampler}; the id is what they type. */
public enum Sampler {
    DDIM("ddim"),
    PNDM("pndm"),
    EULER("euler"),
    EULER_A("euler_a"),
    DPMPP_2M("dpmpp_2m"),
    DPMPP_2M_KARRAS("dpmpp_2m_karras"),
    LMS("lms"),
    UNIPC("unipc");

    public static final Sampler DEFAULT = EULER_A;

    private final String id;

    Sampler(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Sampler> fromId(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Sampler::id).toList();
    }
}
