package dev.easel.adapter.logging;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.easel.application.PrivatePrompts;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Easel's log line layout (logback.xml wires it): readable text by default, or one JSON object per line for log
 * collectors when {@code log.format} / {@code EASEL_LOG_FORMAT} is {@code json}. Either way, the prompts of
 * private-plan jobs that are running are replaced by {@value PrivatePrompts#MASK} in the message and the stack
 * trace, whoever wrote the line.
 *
 * <p>JSON fields: {@code time} (ISO-8601 UTC), {@code level}, {@code logger}, {@code thread}, {@code message},
 * {@code mdc} (when the line has MDC values) and {@code error} (the stack trace, when there is one).
 */
public final class EaselLogLayout extends LayoutBase<ILoggingEvent> {
    public enum Format {
        TEXT, JSON
    }

    private static volatile Format format = initial();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(30);

    private static Format initial() {
        String v = System.getProperty("easel.log.format");
        if (v == null) {
            v = System.getenv("EASEL_LOG_FORMAT");
        }
        return v != null && v.trim().equalsIgnoreCase("json") ? Format.JSON : Format.TEXT;
    }

    /** Switches every Easel layout of the process (start-up calls it once the configuration is read). */
    public static void use(Format f) {
        format = f;
    }

    public static Format format() {
        return format;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String message = PrivatePrompts.redactActive(event.getFormattedMessage());
        IThrowableProxy tp = event.getThrowableProxy();
        String error = tp == null ? null : PrivatePrompts.redactActive(ThrowableProxyUtil.asString(tp));
        return format == Format.JSON ? json(event, message, error) : text(event, message, error);
    }

    private String text(ILoggingEvent e, String message, String error) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ');
        String level = e.getLevel().toString();
        sb.append(level);
        for (int i = level.length(); i < 5; i++) {
            sb.append(' ');
        }
        sb.append(" [").append(e.getThreadName()).append("] ").append(abbreviator.abbreviate(e.getLoggerName()))
                .append(" - ").append(message).append(CoreConstants.LINE_SEPARATOR);
        if (error != null) {
            sb.append(error);
        }
        return sb.toString();
    }

    private static String json(ILoggingEvent e, String message, String error) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":");
        str(sb, Instant.ofEpochMilli(e.getTimeStamp()).toString());
        sb.append(",\"level\":");
        str(sb, e.getLevel().toString().toLowerCase(Locale.ROOT));
        sb.append(",\"logger\":");
        str(sb, e.getLoggerName());
        sb.append(",\"thread\":");
        str(sb, e.getThreadName());
        sb.append(",\"message\":");
        str(sb, message);
        Map<String, String> mdc = e.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            sb.append(",\"mdc\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : new java.util.TreeMap<>(mdc).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                str(sb, m.getKey());
                sb.append(':');
                str(sb, PrivatePrompts.redactActive(m.getValue()));
            }
            sb.append('}');
        }
        if (error != null) {
            sb.append(",\"error\":");
            str(sb, error);
        }
        sb.append("}\n");
        return sb.toString();
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    private static void str(StringBuilder sb, String s) {
        sb.append('"');
        if (s != null) {
            JsonStringEncoder.getInstance().quoteAsString(s, sb);
        }
        sb.append('"');
    }
}
