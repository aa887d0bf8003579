package dev.easel.testing.discord;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects JDA's WARN and ERROR log events while open. JDA drops a gateway event it cannot parse with only a log
 * line ("Got an unexpected Json-parse error"), so a test asserting {@link #problems()} is empty proves that every
 * payload of the stand-in was understood.
 */
public final class JdaLogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("net.dv8tion");
    private final List<String> events = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                String line = e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage();
                if (e.getThrowableProxy() != null) {
                    line += " [" + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage() + "]";
                }
                synchronized (events) {
                    events.add(line);
                }
            }
        }
    };

    private JdaLogCapture() {
    }

    /** Starts capturing (attach before building JDA). */
    public static JdaLogCapture start() {
        JdaLogCapture capture = new JdaLogCapture();
        capture.appender.setName("jda-log-capture");
        capture.appender.setContext(capture.logger.getLoggerContext());
        capture.appender.start();
        capture.logger.addAppender(capture.appender);
        return capture;
    }

    /** WARN and ERROR lines logged by JDA so far. */
    public List<String> problems() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
