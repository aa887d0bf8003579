package dev.easel.adapter.discord;

import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ViewsTest {
    static Job job(JobKind kind, int candidates) {
        JobId id = new JobId("k3j4m5n6p7q8");
        GenerationParams p = GenerationParams.of("a fox", "sd15", 512, 512, 30).withSeed(1).withCandidateCount(candidates);
        Origin origin = kind == JobKind.IMAGINE ? null : new Origin(new JobId("a0b1c2d3e4f5"), 0, "a0b1c2d3e4f5/0");
        return Job.queued(id, new Owner("u", "g", "c"), kind, origin, p, Lane.FAST, "basic", false, "r", 1, Instant.EPOCH);
    }

    static List<List<String>> ids(List<ActionRow> rows) {
        return rows.stream().map(r -> r.getButtons().stream().map(Button::getCustomId).toList()).toList();
    }

    @Test
    void aGridOfFourHasUAndRerollThenV() {
        assertEquals(List.of(
                List.of("v1:up:k3j4m5n6p7q8:1", "v1:up:k3j4m5n6p7q8:2", "v1:up:k3j4m5n6p7q8:3", "v1:up:k3j4m5n6p7q8:4",
                        "v1:rr:k3j4m5n6p7q8:0"),
                List.of("v1:vx:k3j4m5n6p7q8:1", "v1:vx:k3j4m5n6p7q8:2", "v1:vx:k3j4m5n6p7q8:3", "v1:vx:k3j4m5n6p7q8:4")),
                ids(Views.buttons(job(JobKind.IMAGINE, 4))));
    }

    @Test
    void nineCandidatesFillFiveRowsAndAnUpscaleOffersVaryButtons() {
        List<List<String>> rows = ids(Views.buttons(job(JobKind.VARIATION, 9)));
        assertEquals(List.of(5, 4, 5, 4, 1), rows.stream().map(List::size).toList());
        assertEquals(List.of("v1:rr:k3j4m5n6p7q8:0"), rows.get(4));
        assertEquals(List.of(List.of("v1:vs:k3j4m5n6p7q8:1", "v1:vx:k3j4m5n6p7q8:1", "v1:up:k3j4m5n6p7q8:1")),
                ids(Views.buttons(job(JobKind.UPSCALE, 1))), "an upscale offers Vary (Subtle), Vary (Strong), Upscale (2×)");
    }

    @Test
    void messagesHelpers() {
        assertEquals("in under a minute", BotMessages.in(Duration.ofSeconds(59)));
        assertEquals("in ~3 min", BotMessages.in(Duration.ofSeconds(170)));
        assertEquals("in ~1 h 5 min", BotMessages.in(Duration.ofMinutes(65)));
        assertEquals("10 MiB", BotMessages.bytes(10L * 1024 * 1024));
        assertEquals("7.5 MiB", BotMessages.bytes(7_864_320));
        assertEquals("\\*\\*bold\\*\\*", BotMessages.shown("**bold**"));
        List<String> parts = BotMessages.chunks(("line of text\n").repeat(400));
        assertEquals(3, parts.size());
        parts.forEach(p -> assertEquals(true, p.length() <= 2000));
        assertEquals(("line of text\n").repeat(400).strip(), String.join("\n", parts).strip());
    }
}
