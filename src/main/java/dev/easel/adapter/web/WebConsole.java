package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.application.BrowseJobs;
import dev.easel.application.ButtonAction;
import dev.easel.application.ButtonCodec;
import dev.easel.application.CancelJob;
import dev.easel.application.ImageStore;
import dev.easel.application.ImageStoreException;
import dev.easel.application.ListJobs;
import dev.easel.application.Membership;
import dev.easel.application.PressButton;
import dev.easel.application.SubmitImagine;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.PromptParser;
import dev.easel.domain.job.Sampler;
import dev.easel.domain.quota.AdminResult;
import dev.easel.domain.quota.Assignment;
import dev.easel.domain.quota.AuditEntry;
import dev.easel.domain.quota.GuildQuotaConfig;
import dev.easel.domain.quota.PeriodMode;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.PlanField;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaMessages;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local web console, admin page, public gallery and HTTP API, on the same use cases as the Discord bot:
 * {@link SubmitImagine}, {@link PressButton} (the same button ids), {@link CancelJob}, {@link ListJobs},
 * {@link BrowseJobs}, and the plan quota ({@link QuotaService}, {@link QuotaAdmin}).
 *
 * <p>Who is who: the console acts as one configured member ({@code web.user} of guild {@code web.guild}); each API
 * key acts as member {@code api-<name>} of that guild; the admin page needs the admin token. Quotas, lanes and
 * private results apply to them exactly as to Discord members.
 *
 * <p>Usage: build it, call {@link #prepare()} once (assigns the configured plans), then {@link #register} it on
 * the process's {@link dev.easel.adapter.web.LocalHttpServer}. Pass {@link WebJobEvents} to the job service as (part
 * of) its notifier so that the console sees progress and previews.
 */
public final class WebConsole {
    private static final Logger log = LoggerFactory.getLogger(WebConsole.class);
    private static final String ACTOR = "web-admin";
    private static final String CONFIG_ACTOR = "web-config";
    private static final String CONSOLE_CHANNEL = "web";
    private static final String API_CHANNEL = "api";
    private static final String ADMIN_COOKIE = "easel_admin";
    private static final int MAX_INIT_SIDE = 4096;
    private static final int LIST_LIMIT = 20;
    private static final Pattern STATIC = Pattern.compile("[a-z0-9-]{1,40}\\.(css|js|html|svg|png)");
    private static final Duration STREAM_LIFETIME = Duration.ofSeconds(50);
    private static final Duration STREAM_MIN_GAP = Duration.ofMillis(150);
    private static final String STATIC_ROOT = "/dev/easel/adapter/web/static/";

    /** The use cases the web side calls. */
    public record Services(SubmitImagine submit, PressButton press, CancelJob cancel, ListJobs list,
                           BrowseJobs browse, ImageStore images, QuotaService quota, QuotaAdmin quotaAdmin,
                           PromptParser.Settings generation) {
    }

    @FunctionalInterface
    private interface Handler {
        void handle(WebRequest r) throws IOException;
    }

    private record Route(String method, Pattern pattern, Handler handler) {
    }

    /** Who makes a request. */
    private record Identity(String userId, String channel) {
    }

    private final WebConfig config;
    private final Services s;
    private final WebJobEvents events;
    private final ApiKeys keys;
    private final Clock clock;
    private final JobViews views;
    private final List<Route> routes = new ArrayList<>();
    private final Semaphore streams;
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final boolean loopbackOnly;

    public WebConsole(WebConfig config, Services services, WebJobEvents events, ApiKeys keys, Clock clock) {
        this.config = config;
        this.s = services;
        this.events = events;
        this.keys = keys;
        this.clock = clock;
        this.views = new JobViews(events);
        this.streams = new Semaphore(config.maxEventStreams());
        this.loopbackOnly = isLoopback(config.bind());
        if (!loopbackOnly) {
            log.warn("the web console listens on {}: anyone who can reach it acts as member {} of guild {}",
                    config.bind(), config.userId(), config.guildId());
        }
        defineRoutes();
    }

    /**
     * Gives the console user and every configured API key their configured plan (an assignment in the web guild,
     * made once and kept). Throws with a clear message when a plan does not exist.
     */
    public void prepare() {
        config.plan().ifPresent(p -> ensurePlan(config.userId(), p, "the console user " + config.userId()));
        for (ApiKeys.Key k : keys.list()) {
            k.plan().ifPresent(p -> ensurePlan(k.userId(), p, "API key " + k.name()));
        }
    }

    private void ensurePlan(String userId, String plan, String who) {
        Instant now = clock.instant();
        boolean has = s.quotaAdmin().assignments(config.guildId(), userId).stream()
                .anyMatch(a -> a.plan().equals(plan) && a.activeAt(now));
        if (has) {
            return;
        }
        AdminResult r = s.quotaAdmin().assign(CONFIG_ACTOR, config.guildId(), userId, plan, Optional.empty());
        if (r instanceof AdminResult.Rejected rejected) {
            throw new IllegalArgumentException(WebText.planSetupFailed(who, rejected.message()));
        }
        log.info("{} is on plan {} in guild {}", who, plan, config.guildId());
    }

    /** Registers every route on the server (contexts /, /console, /static/, /images/, /gallery, /admin, /api/). */
    public void register(LocalHttpServer server) {
        for (String prefix : List.of("/", "/console", "/static/", "/images/", "/gallery", "/admin", "/api/")) {
            server.route(prefix, exchange -> dispatch(new WebRequest(exchange)));
        }
    }

    // ---- routing ----------------------------------------------------------------------------

    private void get(String pattern, Handler h) {
        routes.add(new Route("GET", Pattern.compile(pattern), h));
    }

    private void post(String pattern, Handler h) {
        routes.add(new Route("POST", Pattern.compile(pattern), h));
    }

    private void delete(String pattern, Handler h) {
        routes.add(new Route("DELETE", Pattern.compile(pattern), h));
    }

    private static final String ID = "([0-9A-Za-z]{1,40})";

    private void defineRoutes() {
        get("/", r -> r.redirect("/console"));
        get("/static/([^/]+)", this::staticFile);
        get("/images/" + ID + "/([a-z0-9_-]{1,32})\\.png", this::image);

        get("/console", r -> page(r, "console.html"));
        get("/console/api/me", r -> r.json(200, me(console())));
        get("/console/api/jobs", r -> r.json(200, jobList(console(), r, "/console/api/jobs/")));
        get("/console/api/jobs/" + ID, r -> r.json(200, jobStatus(console(), r.param(0), "/console/api/jobs/")));
        get("/console/api/jobs/" + ID + "/preview", this::preview);
        post("/console/api/imagine", r -> submit(r, consolePost(r)));
        post("/console/api/press", r -> press(r, consolePost(r), text(r.json(), "customId", WebText.NO_BUTTON)));
        post("/console/api/jobs/" + ID + "/cancel", r -> cancel(r, consolePost(r), r.param(0), false));
        post("/console/api/private", r -> setPrivate(r, consolePost(r)));
        get("/console/events", this::eventStream);

        get("/gallery", r -> {
            galleryOn();
            page(r, "gallery.html");
        });
        get("/gallery/api/recent", this::gallery);

        get("/admin", r -> page(r, adminSession(r) ? "admin.html" : "login.html"));
        post("/admin/login", this::login);
        post("/admin/logout", this::logout);
        get("/admin/api/overview", r -> {
            admin(r);
            r.json(200, overview());
        });
        get("/admin/api/guild", r -> {
            admin(r);
            r.json(200, guild(r.query("guild").orElse(config.guildId()), r.query("user")));
        });
        post("/admin/api/quota/([a-z-]+)", r -> {
            adminPost(r);
            quotaOperation(r, r.param(0), r.json());
        });
        post("/admin/api/jobs/" + ID + "/cancel", r -> {
            adminPost(r);
            cancel(r, new Identity(ACTOR, CONSOLE_CHANNEL), r.param(0), true);
        });
        get("/admin/api/keys", r -> {
            admin(r);
            r.json(200, Map.of("keys", keys.list().stream().map(this::keyView).toList()));
        });
        post("/admin/api/keys", r -> {
            adminPost(r);
            createKey(r, r.json());
        });
        post("/admin/api/keys/([a-z0-9_-]{1,32})/revoke", r -> {
            adminPost(r);
            revokeKey(r, r.param(0));
        });

        get("/api/v1/me", r -> r.json(200, me(apiUser(r))));
        post("/api/v1/imagine", r -> submit(r, apiUser(r)));
        post("/api/v1/img2img", r -> submit(r, apiUser(r)));
        get("/api/v1/jobs", r -> r.json(200, jobList(apiUser(r), r, null)));
        get("/api/v1/jobs/" + ID, r -> r.json(200, jobStatus(apiUser(r), r.param(0), null)));
        delete("/api/v1/jobs/" + ID, r -> cancel(r, apiUser(r), r.param(0), false));
        post("/api/v1/jobs/" + ID + "/cancel", r -> cancel(r, apiUser(r), r.param(0), false));
        post("/api/v1/jobs/" + ID + "/upscale", r -> {
            Identity who = apiUser(r);
            press(r, who, ButtonCodec.encode(ButtonAction.upscale(jobId(r.param(0)), index(r.json()))));
        });
        post("/api/v1/jobs/" + ID + "/variations", r -> {
            Identity who = apiUser(r);
            JsonNode body = r.json();
            String mode = body.path("mode").asText("strong");
            ButtonAction action = switch (mode) {
                case "strong" -> ButtonAction.varyStrong(jobId(r.param(0)), index(body));
                case "subtle" -> ButtonAction.varySubtle(jobId(r.param(0)), index(body));
                default -> throw HttpError.badRequest(WebText.badMode(mode));
            };
            press(r, who, ButtonCodec.encode(action));
        });
        post("/api/v1/jobs/" + ID + "/reroll", r -> press(r, apiUser(r),
                ButtonCodec.encode(ButtonAction.reroll(jobId(r.param(0))))));
        post("/api/v1/jobs/" + ID + "/buttons", r -> {
            Identity who = apiUser(r);
            press(r, who, text(r.json(), "customId", WebText.NO_BUTTON));
        });
        get("/api/v1/jobs/" + ID + "/images/([a-z0-9]{1,8})", this::apiImage);
    }

    private void dispatch(WebRequest r) throws IOException {
        try {
            checkHost(r);
            String path = r.path();
            boolean pathMatched = false;
            for (Route route : routes) {
                Matcher m = route.pattern().matcher(path);
                if (!m.matches()) {
                    continue;
                }
                pathMatched = true;
                String method = r.method().equals("HEAD") ? "GET" : r.method();
                if (!route.method().equals(method)) {
                    continue;
                }
                List<String> params = new ArrayList<>();
                for (int i = 1; i <= m.groupCount(); i++) {
                    params.add(m.group(i));
                }
                r.setParams(params);
                route.handler().handle(r);
                return;
            }
            throw pathMatched ? new HttpError(405, WebText.methodNotAllowed(r.method(), path))
                    : HttpError.notFound(WebText.notFound(path));
        } catch (HttpError e) {
            error(r, e.status(), e.getMessage(), null);
        } catch (IllegalArgumentException e) {
            // Bad ids and values reported by the domain (what was wrong, what is allowed).
            error(r, 400, e.getMessage(), null);
        }
    }

    private static void error(WebRequest r, int status, String message, String field) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        r.json(status, body);
    }

    /**
     * On a loopback-only server, only localhost names are answered: a web page elsewhere cannot reach the console
     * through a DNS name that points at 127.0.0.1.
     */
    private void checkHost(WebRequest r) {
        if (!loopbackOnly) {
            return;
        }
        String host = r.header("Host").orElse("");
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        name = name.toLowerCase(Locale.ROOT);
        if (!(name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]") || name.isEmpty())) {
            throw new HttpError(421, WebText.WRONG_HOST);
        }
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ---- identities ---------------------------------------------------------------------------

    private Identity console() {
        return new Identity(config.userId(), CONSOLE_CHANNEL);
    }

    /** A state-changing console request: it must carry the console's header (a cross-site form cannot). */
    private Identity consolePost(WebRequest r) {
        if (r.header("X-Easel-Console").isEmpty()) {
            throw HttpError.forbidden(WebText.CONSOLE_HEADER);
        }
        return console();
    }

    private Identity apiUser(WebRequest r) {
        String key = r.bearer().orElseThrow(() -> HttpError.unauthorized(WebText.API_KEY_MISSING));
        ApiKeys.Key k = keys.authenticate(key).orElseThrow(() -> HttpError.unauthorized(WebText.API_KEY_WRONG));
        return new Identity(k.userId(), API_CHANNEL);
    }

    /** The API key's member when a key is sent, else the console user. */
    private Identity viewer(WebRequest r) {
        return r.bearer().isPresent() ? apiUser(r) : console();
    }

    private Owner owner(Identity who) {
        return new Owner(who.userId(), config.guildId(), who.channel());
    }

    private boolean owns(Identity who, Job job) {
        return job.owner().userId().equals(who.userId()) && config.guildId().equals(job.owner().guildId());
    }

    // ---- jobs ---------------------------------------------------------------------------------

    private Map<String, Object> me(Identity who) {
        Usage u = s.quota().usage(config.guildId(), who.userId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", who.userId());
        m.put("guild", config.guildId());
        m.put("plan", u.plan().name());
        m.put("planName", u.plan().displayName());
        m.put("summary", QuotaMessages.summary(u));
        m.put("used", u.used());
        m.put("remaining", u.remaining().planImages().isPresent() ? u.remaining().planImages().getAsInt() : null);
        m.put("bonus", u.bonus());
        m.put("lane", u.lane().key());
        m.put("running", u.running());
        m.put("queued", u.queued());
        m.put("privateAvailable", u.resolution().privateResults());
        m.put("privateOn", u.privateNow());
        PromptParser.Settings g = s.generation();
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("model", g.model());
        defaults.put("size", g.nativeSize() + "x" + g.nativeSize());
        defaults.put("steps", g.defaultSteps());
        defaults.put("guidanceScale", g.defaultGuidance());
        defaults.put("sampler", g.defaultSampler().id());
        defaults.put("candidates", g.candidates());
        m.put("defaults", defaults);
        m.put("parameters", PromptParser.KNOWN);
        m.put("samplers", Sampler.ids());
        return m;
    }

    private Map<String, Object> jobList(Identity who, WebRequest r, String previewBase) {
        int limit = r.queryInt("limit", LIST_LIMIT, 1, 100);
        List<Map<String, Object>> jobs = s.list().list(who.userId(), limit).stream()
                .filter(e -> owns(who, e.job()))
                .map(e -> views.job(e.job(), e.standing(), JobViews.Audience.OWNER, previewBase)).toList();
        return Map.of("jobs", jobs);
    }

    private Map<String, Object> jobStatus(Identity who, String id, String previewBase) {
        ListJobs.Entry e = ownJob(who, id);
        return views.job(e.job(), e.standing(), JobViews.Audience.OWNER, previewBase);
    }

    private ListJobs.Entry ownJob(Identity who, String id) {
        JobId jobId = jobId(id);
        ListJobs.Entry e = s.list().get(jobId).orElseThrow(() -> HttpError.notFound(WebText.noJob(id)));
        if (!owns(who, e.job())) {
            // Someone else's job is answered like a missing one: its existence is not anyone's business.
            throw HttpError.notFound(WebText.noJob(id));
        }
        return e;
    }

    private static JobId jobId(String text) {
        return JobId.parse(text).orElseThrow(() -> HttpError.badRequest(WebText.badJobId(text)));
    }

    private static int index(JsonNode body) {
        JsonNode n = body.get("index");
        if (n == null || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > 9) {
            throw HttpError.badRequest(WebText.badIndex(n == null ? "" : n.asText()));
        }
        return n.intValue();
    }

    private static String text(JsonNode body, String field, String missing) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw HttpError.badRequest(missing);
        }
        return n.asText();
    }

    /** /imagine: a JSON {prompt} for text to image, or a multipart form with an image for image to image. */
    private void submit(WebRequest r, Identity who) throws IOException {
        SubmitImagine.Request request;
        if (r.contentType().startsWith("multipart/form-data")) {
            Map<String, Multipart.Part> form = Multipart.parse(r.contentType(), r.body(config.maxUploadBytes()));
            Multipart.Part prompt = form.get("prompt");
            if (prompt == null || prompt.text().isBlank()) {
                throw HttpError.badRequest(WebText.NO_PROMPT);
            }
            Multipart.Part strengthPart = form.get("strength");
            double strength = strengthPart == null || strengthPart.text().isBlank() ? config.defaultStrength()
                    : strength(strengthPart.text());
            Multipart.Part image = form.get("image");
            if (image == null || image.data().length == 0) {
                if (r.path().endsWith("/img2img")) {
                    throw HttpError.badRequest(WebText.IMAGE_MISSING);
                }
                request = new SubmitImagine.Request(owner(who), prompt.text());
            } else {
                BufferedImage init = decode(image.data());
                String promptText = withAspect(prompt.text(), init.getWidth(), init.getHeight());
                String imageId = s.images().save(JobId.newId(), "upload", init,
                        Map.of("source", "upload", "uploaded_by", who.userId()));
                request = new SubmitImagine.Request(owner(who), promptText, Membership.NONE, imageId, strength);
            }
        } else {
            if (r.path().endsWith("/img2img")) {
                throw HttpError.badRequest(WebText.IMAGE_MISSING);
            }
            request = new SubmitImagine.Request(owner(who), text(r.json(), "prompt", WebText.NO_PROMPT));
        }
        SubmitImagine.Result result = s.submit().submit(request);
        events.bump();
        if (result instanceof SubmitImagine.Accepted a) {
            r.json(202, views.job(a.job(), a.standing(), JobViews.Audience.OWNER, null));
        } else if (result instanceof SubmitImagine.Invalid invalid) {
            error(r, 400, invalid.message(), "prompt");
        } else {
            error(r, 429, ((SubmitImagine.Denied) result).reason(), "quota");
        }
    }

    private static double strength(String text) {
        try {
            double v = Double.parseDouble(text.strip());
            if (v > 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpError.badRequest(WebText.badStrength(text));
    }

    private static BufferedImage decode(byte[] data) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(data));
        } catch (IOException e) {
            image = null;
        }
        if (image == null) {
            throw HttpError.badRequest(WebText.IMAGE_UNREADABLE);
        }
        if (image.getWidth() > MAX_INIT_SIDE || image.getHeight() > MAX_INIT_SIDE) {
            throw HttpError.badRequest(WebText.imageTooBig(image.getWidth(), image.getHeight(), MAX_INIT_SIDE));
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = rgb.createGraphics();
        try {
            g.drawImage(image, 0, 0, java.awt.Color.WHITE, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    /** Without --ar or --size, an image-to-image grid takes the upload's aspect ratio. */
    static String withAspect(String prompt, int width, int height) {
        String lower = prompt.toLowerCase(Locale.ROOT);
        if (lower.matches("(?s).*(^|\\s)(--|\u2014|\u2013)(ar|aspect|size)(\\s|$).*")) {
            return prompt;
        }
        int g = gcd(width, height);
        int w = width / g;
        int h = height / g;
        return prompt.strip() + " --ar " + w + ":" + h;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private void press(WebRequest r, Identity who, String customId) throws IOException {
        PressButton.Result result = s.press().press(new PressButton.Request(owner(who), customId));
        events.bump();
        if (result instanceof PressButton.Accepted a) {
            r.json(202, views.job(a.job(), a.standing(), JobViews.Audience.OWNER, null));
        } else if (result instanceof PressButton.Rejected rejected) {
            error(r, 409, rejected.message(), "customId");
        } else {
            error(r, 429, ((PressButton.Denied) result).reason(), "quota");
        }
    }

    private void cancel(WebRequest r, Identity who, String id, boolean admin) throws IOException {
        JobId jobId = jobId(id);
        if (!admin) {
            ownJob(who, id);
        }
        CancelJob.Result result = s.cancel().cancel(new CancelJob.Request(jobId, who.userId(), admin));
        events.bump();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", jobId.value());
        if (result instanceof CancelJob.Cancelled) {
            body.put("result", "cancelled");
            body.put("message", WebText.cancelled(id));
            r.json(200, body);
        } else if (result instanceof CancelJob.Stopping) {
            body.put("result", "stopping");
            body.put("message", WebText.stopping(id));
            r.json(202, body);
        } else if (result instanceof CancelJob.AlreadyFinished f) {
            error(r, 409, WebText.alreadyFinished(id, JobViews.lower(f.job().status())), null);
        } else if (result instanceof CancelJob.NotAllowed n) {
            error(r, 403, n.message(), null);
        } else {
            error(r, 404, WebText.noJob(id), null);
        }
    }

    private void setPrivate(WebRequest r, Identity who) throws IOException {
        JsonNode body = r.json();
        JsonNode on = body.get("on");
        if (on == null || !on.isBoolean()) {
            throw HttpError.badRequest("on: must be true or false");
        }
        boolean now = s.quota().setPrivateMode(config.guildId(), who.userId(), on.booleanValue());
        r.json(200, Map.of("privateOn", now));
    }

    private void preview(WebRequest r) throws IOException {
        ListJobs.Entry e = ownJob(console(), r.param(0));
        byte[] png = events.progress(e.job().id()).map(WebJobEvents.Progress::preview)
                .orElseThrow(() -> HttpError.notFound("job " + r.param(0) + " has no preview now"));
        r.send(200, "image/png", png);
    }

    // ---- images -------------------------------------------------------------------------------

    private void image(WebRequest r) throws IOException {
        String imageId = r.param(0) + "/" + r.param(1);
        ListJobs.Entry e = s.list().get(jobId(r.param(0)))
                .orElseThrow(() -> HttpError.notFound(WebText.noJob(r.param(0))));
        Job job = e.job();
        if (!job.outputImageIds().contains(imageId) && !imageId.equals(job.gridImageId())) {
            throw HttpError.notFound(WebText.notFound(r.path()));
        }
        if (!visible(viewer(r), job)) {
            throw HttpError.notFound(WebText.notFound(r.path()));
        }
        sendImage(r, job, imageId, r.query("download").isPresent());
    }

    private void apiImage(WebRequest r) throws IOException {
        Identity who = apiUser(r);
        Job job = ownJob(who, r.param(0)).job();
        if (job.status() != JobStatus.DONE) {
            throw new HttpError(409, WebText.notDone(r.param(0), JobViews.lower(job.status())));
        }
        String which = r.param(1);
        String imageId;
        if (which.equals("grid") && job.gridImageId() != null) {
            imageId = job.gridImageId();
        } else if (which.matches("[1-9]") && Integer.parseInt(which) <= job.outputImageIds().size()) {
            imageId = job.outputImageIds().get(Integer.parseInt(which) - 1);
        } else {
            throw HttpError.notFound(WebText.noImage(r.param(0), which));
        }
        sendImage(r, job, imageId, true);
    }

    /** Owners see their own; everyone sees public results the gallery may show. */
    private boolean visible(Identity who, Job job) {
        if (owns(who, job)) {
            return true;
        }
        return !job.privateResult() && galleryShows(job);
    }

    private boolean galleryShows(Job job) {
        return switch (config.gallery()) {
            case ALL -> true;
            case LOCAL -> config.guildId().equals(job.owner().guildId());
            case OFF -> false;
        };
    }

    private void sendImage(WebRequest r, Job job, String imageId, boolean download) throws IOException {
        byte[] png;
        try {
            png = s.images().readPng(imageId);
        } catch (ImageStoreException e) {
            throw new HttpError(410, "image " + imageId + " is gone from the image store");
        }
        r.setHeader("Cache-Control", job.privateResult() ? "private, max-age=3600" : "public, max-age=86400");
        if (download) {
            r.setHeader("Content-Disposition", "attachment; filename=\"easel-" + imageId.replace('/', '-') + ".png\"");
        }
        r.send(200, "image/png", png);
    }

    // ---- pages and static files ---------------------------------------------------------------

    private void page(WebRequest r, String name) throws IOException {
        r.html(resource(name));
    }

    private void staticFile(WebRequest r) throws IOException {
        String name = r.param(0);
        if (!STATIC.matcher(name).matches()) {
            throw HttpError.notFound(WebText.notFound(r.path()));
        }
        byte[] bytes;
        try (InputStream in = WebConsole.class.getResourceAsStream(STATIC_ROOT + name)) {
            if (in == null) {
                throw HttpError.notFound(WebText.notFound(r.path()));
            }
            bytes = in.readAllBytes();
        }
        String type = switch (name.substring(name.lastIndexOf('.') + 1)) {
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            default -> "text/html; charset=utf-8";
        };
        r.setHeader("Cache-Control", "no-cache");
        r.send(200, type, bytes);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WebConsole.class.getResourceAsStream(STATIC_ROOT + name)) {
            if (in == null) {
                throw new IOException("missing web resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---- live updates (server-sent events) ----------------------------------------------------

    /**
     * Streams the console user's latest jobs as {@code job} events whenever one changes (status, queue position,
     * progress, preview). Ends after about a minute; the browser reconnects by itself. Connections beyond
     * {@code web.max-event-streams} get a 503 and the page polls instead.
     */
    private void eventStream(WebRequest r) throws IOException {
        if (!streams.tryAcquire()) {
            throw new HttpError(503, WebText.TOO_MANY_STREAMS);
        }
        try {
            Identity who = console();
            var ex = r.exchange();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            write(out, "retry: 1000\n\n");
            Map<String, String> sent = new HashMap<>();
            long deadline = System.nanoTime() + STREAM_LIFETIME.toNanos();
            long generation = events.generation();
            long lastWrite = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long readAt = System.nanoTime();
                boolean active = false;
                for (ListJobs.Entry e : s.list().list(who.userId(), LIST_LIMIT)) {
                    if (!owns(who, e.job())) {
                        continue;
                    }
                    active |= e.job().status().isActive();
                    String json = WebRequest.JSON.writeValueAsString(
                            views.job(e.job(), e.standing(), JobViews.Audience.OWNER, "/console/api/jobs/"));
                    String id = e.job().id().value();
                    if (!json.equals(sent.get(id))) {
                        write(out, "event: job\ndata: " + json + "\n\n");
                        sent.put(id, json);
                        lastWrite = System.nanoTime();
                    }
                }
                if (System.nanoTime() - lastWrite > Duration.ofSeconds(15).toNanos()) {
                    write(out, ": ping\n\n");
                    lastWrite = System.nanoTime();
                }
                generation = events.awaitChange(generation, active ? Duration.ofSeconds(1) : Duration.ofSeconds(5));
                long gap = STREAM_MIN_GAP.toNanos() - (System.nanoTime() - readAt);
                if (gap > 0) {
                    Thread.sleep(gap / 1_000_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("event stream closed: {}", e.toString());
        } finally {
            streams.release();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---- gallery ------------------------------------------------------------------------------

    private void galleryOn() {
        if (config.gallery() == WebConfig.Gallery.OFF) {
            throw HttpError.notFound(WebText.GALLERY_OFF);
        }
    }

    private void gallery(WebRequest r) throws IOException {
        galleryOn();
        int limit = r.queryInt("limit", config.gallerySize(), 1, config.gallerySize());
        String guild = config.gallery() == WebConfig.Gallery.LOCAL ? config.guildId() : null;
        List<Map<String, Object>> jobs = s.browse().gallery(guild, limit).stream()
                .filter(j -> !j.privateResult())
                .map(j -> views.job(j, Optional.empty(), JobViews.Audience.PUBLIC, null)).toList();
        r.json(200, Map.of("jobs", jobs));
    }

    // ---- admin --------------------------------------------------------------------------------

    private boolean adminSession(WebRequest r) {
        if (!config.adminEnabled()) {
            throw HttpError.notFound(WebText.ADMIN_OFF);
        }
        Optional<String> header = r.header("X-Admin-Token");
        if (header.isPresent()) {
            return tokenMatches(header.get());
        }
        Optional<String> session = r.cookie(ADMIN_COOKIE);
        if (session.isEmpty()) {
            return false;
        }
        Instant expires = sessions.get(session.get());
        if (expires == null) {
            return false;
        }
        if (!clock.instant().isBefore(expires)) {
            sessions.remove(session.get());
            return false;
        }
        return true;
    }

    private boolean tokenMatches(String presented) {
        byte[] a = sha256(presented);
        byte[] b = sha256(config.adminToken().orElseThrow());
        return MessageDigest.isEqual(a, b);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void admin(WebRequest r) {
        if (!adminSession(r)) {
            throw HttpError.unauthorized(WebText.ADMIN_LOGIN);
        }
    }

    /** An admin change: by token header, or by session cookie plus the console header (no cross-site forms). */
    private void adminPost(WebRequest r) {
        admin(r);
        if (r.header("X-Admin-Token").isEmpty() && r.header("X-Easel-Console").isEmpty()) {
            throw HttpError.forbidden(WebText.CONSOLE_HEADER);
        }
    }

    private void login(WebRequest r) throws IOException {
        if (!config.adminEnabled()) {
            throw HttpError.notFound(WebText.ADMIN_OFF);
        }
        String token = r.form().getOrDefault("token", "");
        if (!tokenMatches(token)) {
            log.warn("admin login refused (wrong token)");
            r.redirect("/admin?error=token");
            return;
        }
        sessions.entrySet().removeIf(e -> !clock.instant().isBefore(e.getValue()));
        byte[] id = new byte[32];
        random.nextBytes(id);
        String session = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessions.put(session, clock.instant().plus(config.sessionLifetime()));
        r.setHeader("Set-Cookie", ADMIN_COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + config.sessionLifetime().toSeconds());
        r.redirect("/admin");
    }

    private void logout(WebRequest r) throws IOException {
        r.cookie(ADMIN_COOKIE).ifPresent(sessions::remove);
        r.setHeader("Set-Cookie", ADMIN_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        r.redirect("/admin");
    }

    private Map<String, Object> overview() {
        BrowseJobs.QueueView q = s.browse().queue(50);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", q.running().stream().map(this::adminView).toList());
        m.put("fast", q.waiting().stream().filter(p -> p.job().lane() == dev.easel.domain.job.Lane.FAST)
                .map(this::adminView).toList());
        m.put("relax", q.waiting().stream().filter(p -> p.job().lane() == dev.easel.domain.job.Lane.RELAX)
                .map(this::adminView).toList());
        m.put("waitingTotal", q.waitingTotal());
        m.put("failures", s.browse().failures(20).stream()
                .map(j -> views.job(j, Optional.empty(), JobViews.Audience.ADMIN, null)).toList());
        return m;
    }

    private Map<String, Object> adminView(BrowseJobs.Placed p) {
        return views.job(p.job(), Optional.of(p.standing()), JobViews.Audience.ADMIN, null);
    }

    private Map<String, Object> guild(String guildId, Optional<String> lookup) {
        GuildQuotaConfig c = s.quotaAdmin().config(guildId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("guild", guildId);
        m.put("defaultPlan", c.settings().defaultPlan());
        m.put("periods", c.settings().periodMode().key());
        List<Map<String, Object>> plans = new ArrayList<>();
        for (Plan p : c.plans()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", p.name());
            pm.put("fields", PlanField.toFields(p));
            pm.put("description", PlanField.describe(p));
            plans.add(pm);
        }
        m.put("plans", plans);
        m.put("roles", c.roleToPlan());
        m.put("skus", c.skuToPlan());
        Set<String> users = new LinkedHashSet<>();
        lookup.ifPresent(users::add);
        if (guildId.equals(config.guildId())) {
            users.add(config.userId());
            keys.list().forEach(k -> users.add(k.userId()));
        }
        users.addAll(s.browse().owners(guildId, 100));
        List<Map<String, Object>> members = new ArrayList<>();
        for (String user : users) {
            members.add(member(guildId, user));
        }
        m.put("members", members);
        List<Map<String, Object>> audit = new ArrayList<>();
        for (AuditEntry a : s.quotaAdmin().auditLog(guildId, 30)) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("at", a.at().toString());
            am.put("actor", a.actorId());
            am.put("action", JobViews.lower(a.action()));
            am.put("subject", a.subject());
            am.put("change", a.change());
            audit.add(am);
        }
        m.put("audit", audit);
        m.put("fieldKeys", PlanField.allKeys());
        return m;
    }

    private Map<String, Object> member(String guildId, String userId) {
        Usage u = s.quota().usage(guildId, userId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", userId);
        m.put("plan", u.plan().name());
        m.put("source", JobViews.lower(u.source()));
        m.put("detail", u.resolution().detail());
        m.put("summary", QuotaMessages.summary(u));
        m.put("used", u.used());
        m.put("remaining", u.remaining().planImages().isPresent() ? u.remaining().planImages().getAsInt() : null);
        m.put("bonus", u.bonus());
        m.put("lane", u.lane().key());
        m.put("running", u.running());
        m.put("queued", u.queued());
        m.put("private", u.privateNow());
        List<Map<String, Object>> assignments = new ArrayList<>();
        for (Assignment a : s.quotaAdmin().assignments(guildId, userId)) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("plan", a.plan());
            am.put("by", a.assignedBy());
            am.put("at", a.assignedAt().toString());
            am.put("expiresAt", a.expiresAt().map(Instant::toString).orElse(null));
            am.put("active", a.activeAt(clock.instant()));
            assignments.add(am);
        }
        m.put("assignments", assignments);
        return m;
    }

    private static final List<String> OPERATIONS = List.of("create-plan", "edit-plan", "delete-plan", "default-plan",
            "periods", "assign", "unassign", "map-role", "unmap-role", "map-sku", "unmap-sku", "bonus", "reset-usage");

    /** The /plans commands' operations ({@link QuotaAdmin}), one per name; the body names the guild and inputs. */
    private void quotaOperation(WebRequest r, String op, JsonNode b) throws IOException {
        QuotaAdmin a = s.quotaAdmin();
        String guild = b.hasNonNull("guild") ? b.get("guild").asText() : config.guildId();
        AdminResult result = switch (op) {
            case "create-plan" -> a.createPlan(ACTOR, guild, req(b, "name"), opt(b, "copyOf"), fields(b));
            case "edit-plan" -> a.editPlan(ACTOR, guild, req(b, "plan"), fields(b));
            case "delete-plan" -> a.deletePlan(ACTOR, guild, req(b, "plan"), opt(b, "replacement"));
            case "default-plan" -> a.setDefaultPlan(ACTOR, guild, req(b, "plan"));
            case "periods" -> a.setPeriodMode(ACTOR, guild, periodMode(req(b, "mode")));
            case "assign" -> a.assign(ACTOR, guild, req(b, "user"), req(b, "plan"), opt(b, "expiresAt").map(t -> {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException e) {
                    throw HttpError.badRequest(WebText.badExpiry(t));
                }
            }));
            case "unassign" -> a.unassign(ACTOR, guild, req(b, "user"), req(b, "plan"));
            case "map-role" -> a.mapRole(ACTOR, guild, req(b, "role"), req(b, "plan"));
            case "unmap-role" -> a.unmapRole(ACTOR, guild, req(b, "role"));
            case "map-sku" -> a.mapSku(ACTOR, guild, req(b, "sku"), req(b, "plan"));
            case "unmap-sku" -> a.unmapSku(ACTOR, guild, req(b, "sku"));
            case "bonus" -> {
                JsonNode n = b.get("images");
                if (n == null || !n.canConvertToInt()) {
                    throw HttpError.badRequest("images: must be a whole number");
                }
                yield a.grantBonus(ACTOR, guild, req(b, "user"), n.intValue());
            }
            case "reset-usage" -> a.resetUsage(ACTOR, guild, req(b, "user"));
            default -> throw HttpError.notFound(WebText.unknownOperation(op, String.join(", ", OPERATIONS)));
        };
        if (result instanceof AdminResult.Done done) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("done", true);
            m.put("action", JobViews.lower(done.audit().action()));
            m.put("subject", done.audit().subject());
            m.put("change", done.audit().change());
            r.json(200, m);
        } else {
            AdminResult.Rejected rejected = (AdminResult.Rejected) result;
            error(r, 400, rejected.message(), rejected.field());
        }
    }

    private static String req(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull() || n.asText().isBlank()) {
            throw HttpError.badRequest(WebText.missing(field));
        }
        return n.asText().strip();
    }

    private static Optional<String> opt(JsonNode b, String field) {
        JsonNode n = b.get(field);
        return n == null || n.isNull() || n.asText().isBlank() ? Optional.empty() : Optional.of(n.asText().strip());
    }

    private static Map<String, String> fields(JsonNode b) {
        JsonNode f = b.get("fields");
        Map<String, String> out = new LinkedHashMap<>();
        if (f == null || f.isNull()) {
            return out;
        }
        if (!f.isObject()) {
            throw HttpError.badRequest("fields: must be an object of plan field to value, e.g. {\"images\": \"200\"}");
        }
        for (Map.Entry<String, JsonNode> e : f.properties()) {
            if (!e.getValue().isNull() && !e.getValue().asText().isBlank()) {
                out.put(e.getKey(), e.getValue().asText().strip());
            }
        }
        return out;
    }

    private static PeriodMode periodMode(String text) {
        for (PeriodMode m : PeriodMode.values()) {
            if (m.key().equals(text)) {
                return m;
            }
        }
        throw HttpError.badRequest("mode: must be anniversary or calendar; got '" + text + "'");
    }

    private Map<String, Object> keyView(ApiKeys.Key k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", k.name());
        m.put("user", k.userId());
        m.put("plan", k.plan().orElse(null));
        m.put("createdAt", k.createdAt().toString());
        m.put("fromConfig", k.fromConfig());
        return m;
    }

    private void createKey(WebRequest r, JsonNode b) throws IOException {
        String name = req(b, "name");
        Optional<String> plan = opt(b, "plan");
        if (plan.isPresent() && s.quotaAdmin().plans(config.guildId()).stream()
                .noneMatch(p -> p.name().equals(plan.get()) && !p.addOn())) {
            throw HttpError.badRequest("plan: unknown base plan '" + plan.get() + "' in guild " + config.guildId());
        }
        ApiKeys.Created created;
        try {
            created = keys.create(name, plan);
        } catch (IllegalArgumentException e) {
            error(r, 400, e.getMessage(), "name");
            return;
        }
        plan.ifPresent(p -> ensurePlan(created.key().userId(), p, "API key " + name));
        Map<String, Object> m = keyView(created.key());
        m.put("key", created.secret());
        r.json(201, m);
    }

    private void revokeKey(WebRequest r, String name) throws IOException {
        if (!keys.revoke(name)) {
            error(r, 404, WebText.noKey(name), "name");
            return;
        }
        r.json(200, Map.of("revoked", name, "message", WebText.keyRevoked(name)));
    }

    /** The base URL a browser would use for a server bound to {@code bind:port}. */
    public static String url(String bind, int port) {
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/").toString();
    }
}
