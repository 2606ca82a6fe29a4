package dev.outpost.hub.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What the hub logs while a test runs, captured from logback's root logger. */
public final class CapturedLog implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public CapturedLog() {
        appender.start();
        root.addAppender(appender);
    }

    /** The events so far. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase appends under its own lock
            return new ArrayList<>(appender.list);
        }
    }

    /** The formatted messages of the events so far that contain {@code text}. */
    public List<String> linesContaining(String text) {
        return events().stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(text)).toList();
    }

    /** Events at ERROR, or carrying a stack trace. */
    public List<ILoggingEvent> errorsOrStackTraces() {
        return events().stream().filter(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
