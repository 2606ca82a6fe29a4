package dev.outpost.hub.gateway;

import dev.outpost.protocol.text.FreeText;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends grpc-java's own log records (java.util.logging) to the hub's log as one line each: what a
 * client can provoke at will (an oversized message, a broken frame) must not print a stack trace to
 * stderr. The stack trace is kept at DEBUG.
 */
final class GrpcTransportLog extends Handler {
    /** Held so java.util.logging cannot collect the configured logger. */
    private static final java.util.logging.Logger GRPC = java.util.logging.Logger.getLogger("io.grpc");
    private static final Logger LOG = LoggerFactory.getLogger("io.grpc");

    private GrpcTransportLog() {
    }

    /** Routes the io.grpc logger through this handler (idempotent). */
    static synchronized void install() {
        for (Handler handler : GRPC.getHandlers()) {
            if (handler instanceof GrpcTransportLog) {
                return;
            }
        }
        GRPC.setUseParentHandlers(false);
        GRPC.addHandler(new GrpcTransportLog());
    }

    @Override
    public void publish(LogRecord record) {
        int level = record.getLevel().intValue();
        if (level < Level.INFO.intValue()) {
            return;
        }
        Throwable thrown = record.getThrown();
        String line = "grpc " + simpleName(record.getLoggerName()) + ": " + record.getMessage()
                + (thrown == null ? "" : ": " + FreeText.forLog(String.valueOf(thrown.getMessage())));
        if (level >= Level.WARNING.intValue()) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
        if (thrown != null && LOG.isDebugEnabled()) {
            LOG.debug("stack trace of the line above", thrown);
        }
    }

    private static String simpleName(String loggerName) {
        return loggerName == null ? "" : loggerName.substring(loggerName.lastIndexOf('.') + 1);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
