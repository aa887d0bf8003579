package dev.easel.adapter.web;

import dev.easel.application.ButtonAction;
import dev.easel.application.ButtonCodec;
import dev.easel.application.QueueStanding;
import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Jobs as JSON objects (maps) for the console, the gallery, the admin page and the API. Private prompts are shown
 * only to the owner. The buttons are the ones the Discord message of the job carries (same custom ids, handled
 * by the same {@code PressButton}).
 */
final class JobViews {

    /** Who looks: the owner sees everything; the public sees public results; the admin sees no private prompt. */
    enum Audience {
        OWNER, PUBLIC, ADMIN
    }

    private final WebJobEvents events;

    JobViews(WebJobEvents events) {
        this.events = events;
    }

    /**
     * @param previewBase where the owner's console fetches previews ({@code …/<id>/preview}); null for none
     */
    Map<String, Object> job(Job job, Optional<QueueStanding> standing, Audience audience, String previewBase) {
        boolean hidden = job.privateResult() && audience != Audience.OWNER;
        GenerationParams p = job.params();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id().value());
        m.put("kind", lower(job.kind()));
        m.put("status", lower(job.status()));
        m.put("private", job.privateResult());
        if (audience == Audience.ADMIN) {
            m.put("owner", job.owner().userId());
            m.put("guild", job.owner().guildId());
        }
        m.put("prompt", hidden ? null : p.prompt());
        m.put("negativePrompt", hidden ? null : p.negativePrompt());
        m.put("parameters", hidden ? null : parameters(job));
        m.put("size", p.width() + "x" + p.height());
        m.put("plan", audience == Audience.PUBLIC ? null : job.planName());
        m.put("lane", lower(job.lane()));
        if (job.origin() != null) {
            Map<String, Object> origin = new LinkedHashMap<>();
            origin.put("parent", job.origin().parentId() == null ? null : job.origin().parentId().value());
            origin.put("index", job.origin().candidateIndex() < 0 ? null : job.origin().candidateIndex() + 1);
            origin.put("upload", job.origin().isUpload());
            m.put("origin", origin);
        } else {
            m.put("origin", null);
        }
        m.put("createdAt", time(job.createdAt()));
        m.put("startedAt", time(job.startedAt()));
        m.put("finishedAt", time(job.finishedAt()));
        m.put("failureReason", hidden ? (job.failureReason() == null ? null : "(private)") : job.failureReason());
        m.put("queue", standing.filter(s -> job.status().isActive()).map(JobViews::standing).orElse(null));
        m.put("progress", job.status() == JobStatus.RUNNING ? progress(job, audience == Audience.OWNER ? previewBase
                : null) : null);
        boolean showImages = job.status() == JobStatus.DONE && !hidden;
        m.put("images", showImages ? images(job) : List.of());
        m.put("grid", showImages && job.gridImageId() != null ? image(job.gridImageId(), null) : null);
        m.put("buttons", showImages && audience != Audience.ADMIN ? buttons(job) : List.of());
        return m;
    }

    private static Map<String, Object> parameters(Job job) {
        GenerationParams p = job.params();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", p.width());
        m.put("height", p.height());
        m.put("steps", p.steps());
        m.put("guidanceScale", p.guidanceScale());
        m.put("sampler", p.sampler().id());
        m.put("seed", job.seed());
        m.put("chaos", p.chaos());
        m.put("stylize", p.stylize().isPresent() ? p.stylize().getAsInt() : null);
        m.put("tile", p.tile());
        m.put("quality", p.quality());
        m.put("model", p.model());
        m.put("strength", p.strength());
        m.put("candidates", p.candidateCount());
        return m;
    }

    private static Map<String, Object> standing(QueueStanding s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", s.position());
        m.put("etaStartSeconds", s.untilStart().toMillis() / 1000.0);
        m.put("etaDoneSeconds", s.untilDone().toMillis() / 1000.0);
        return m;
    }

    private Map<String, Object> progress(Job job, String previewBase) {
        Map<String, Object> m = new LinkedHashMap<>();
        Optional<WebJobEvents.Progress> p = events.progress(job.id());
        int step = p.map(WebJobEvents.Progress::step).orElse(0);
        int total = p.map(WebJobEvents.Progress::total).orElse(0);
        m.put("step", step);
        m.put("total", total);
        m.put("percent", total == 0 ? 0 : Math.round(100.0 * step / total));
        boolean preview = previewBase != null && p.isPresent() && p.get().preview() != null;
        m.put("preview", preview ? previewBase + job.id().value() + "/preview?v=" + p.get().version() : null);
        return m;
    }

    private static List<Map<String, Object>> images(Job job) {
        List<Candidate> candidates = job.params().candidates();
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < job.outputImageIds().size(); i++) {
            Map<String, Object> m = image(job.outputImageIds().get(i), i + 1);
            if (i < candidates.size()) {
                m.put("seed", candidates.get(i).seed());
                m.put("guidanceScale", candidates.get(i).guidanceScale());
            }
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> image(String imageId, Integer index) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (index != null) {
            m.put("index", index);
        }
        m.put("url", "/images/" + imageId + ".png");
        m.put("download", "/images/" + imageId + ".png?download=1");
        return m;
    }

    /**
     * The rows of buttons under a finished job: U1–Un and V1–Vn + 🔄 under a grid, "Vary (Subtle)",
     * "Vary (Strong)" and "Upscale (2×)" under an upscale (the plan decides how far upscales may go).
     */
    static List<List<Map<String, Object>>> buttons(Job job) {
        List<List<Map<String, Object>>> rows = new ArrayList<>();
        int n = job.outputImageIds().size();
        if (job.kind() == JobKind.UPSCALE) {
            rows.add(List.of(button(ButtonAction.varySubtle(job.id(), 1), WebText.VARY_SUBTLE),
                    button(ButtonAction.varyStrong(job.id(), 1), WebText.VARY_STRONG),
                    button(ButtonAction.upscale(job.id(), 1), WebText.UPSCALE_AGAIN)));
            return rows;
        }
        List<Map<String, Object>> ups = new ArrayList<>();
        List<Map<String, Object>> varies = new ArrayList<>();
        for (int i = 1; i <= Math.min(n, 9); i++) {
            ups.add(button(ButtonAction.upscale(job.id(), i), "U" + i));
            varies.add(button(ButtonAction.varyStrong(job.id(), i), "V" + i));
        }
        varies.add(button(ButtonAction.reroll(job.id()), WebText.REROLL));
        rows.add(ups);
        rows.add(varies);
        return rows;
    }

    private static Map<String, Object> button(ButtonAction action, String label) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", ButtonCodec.encode(action));
        m.put("label", label);
        m.put("action", lower(action.kind()));
        return m;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static String time(Instant t) {
        // Microseconds: what the job store keeps, so a job reads the same before and after it is stored.
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }
}
