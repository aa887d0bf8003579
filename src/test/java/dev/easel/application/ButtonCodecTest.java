package dev.easel.application;

import dev.easel.domain.job.JobId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ButtonCodecTest {
    private final JobId job = new JobId("k3j4m5n6p7q8");

    @Test
    void encodesShortVersionedIdsAndDecodesThemBack() {
        assertEquals("v1:up:k3j4m5n6p7q8:2", ButtonCodec.encode(ButtonAction.upscale(job, 2)));
        assertEquals("v1:vs:k3j4m5n6p7q8:1", ButtonCodec.encode(ButtonAction.varySubtle(job, 1)));
        assertEquals("v1:vx:k3j4m5n6p7q8:4", ButtonCodec.encode(ButtonAction.varyStrong(job, 4)));
        assertEquals("v1:rr:k3j4m5n6p7q8:0", ButtonCodec.encode(ButtonAction.reroll(job)));
        for (ButtonAction a : List.of(ButtonAction.upscale(job, 3), ButtonAction.varySubtle(job, 2),
                ButtonAction.varyStrong(job, 1), ButtonAction.reroll(job))) {
            String id = ButtonCodec.encode(a);
            assertTrue(id.length() <= ButtonCodec.MAX_LENGTH);
            assertEquals(Optional.of(a), ButtonCodec.decode(id));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v2:up:k3j4m5n6p7q8:2", "v1:zz:k3j4m5n6p7q8:2", "v1:up:k3j4m5n6p7q:2",
            "v1:up:k3j4m5n6p7qi:2", "v1:up:k3j4m5n6p7q8:0", "v1:rr:k3j4m5n6p7q8:1", "v1:up:k3j4m5n6p7q8:2:extra",
            "v1:UP:k3j4m5n6p7q8:2", "v1:up:k3j4m5n6p7q8:10"})
    void rejectsUnknownOrDamagedIds(String id) {
        assertEquals(Optional.empty(), ButtonCodec.decode(id));
    }

    @Test
    void rejectsNullAndOverlongIds() {
        assertEquals(Optional.empty(), ButtonCodec.decode(null));
        assertEquals(Optional.empty(), ButtonCodec.decode("v1:up:k3j4m5n6p7q8:2" + " ".repeat(100)));
    }
}
