package dev.outpost.hub.logs;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogPosition;
import dev.outpost.protocol.v1.LogSource;
import dev.outpost.protocol.v1.LogStream;
import dev.outpost.protocol.v1.SourceLogs;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of telemetry.proto a LogBatch must keep as a whole; the first one broken is named, and
 * the whole batch is refused (nothing of it stored). Whether a deployment is the agent's is checked
 * against the store by {@link LogIngest}.
 */
final class LogBatchRules {
    static final int MAX_ID_CHARS = 64;
    static final int MAX_NAME_CHARS = 253;
    static final int MAX_POD_UID_CHARS = 128;

    private LogBatchRules() {
    }

    /** The first rule the batch breaks, as a sentence for the stream's INVALID_ARGUMENT, or empty. */
    static Optional<String> batchProblem(LogBatch batch) {
        if (batch.getSequence() <= 0) {
            return Optional.of("sequence must be positive");
        }
        if (batch.getSourcesCount() == 0) {
            return Optional.of("has no sources");
        }
        int lines = 0;
        long textBytes = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < batch.getSourcesCount(); i++) {
            SourceLogs source = batch.getSources(i);
            String at = "sources[" + i + "]";
            Optional<String> problem = sourceProblem(source.getSource(), at);
            if (problem.isPresent()) {
                return problem;
            }
            if (!seen.add(source.getSource().getPodUid() + "/" + source.getSource().getContainer())) {
                return Optional.of(at + ": the same source appears twice in the batch");
            }
            problem = dropProblem(source, at);
            if (problem.isPresent()) {
                return problem;
            }
            LogPosition previous = null;
            for (int j = 0; j < source.getLinesCount(); j++) {
                LogLine line = source.getLines(j);
                String lineAt = at + ".lines[" + j + "]";
                problem = lineProblem(line, lineAt);
                if (problem.isPresent()) {
                    return problem;
                }
                if (previous != null && !LogPositions.after(line.getPosition(), previous)) {
                    return Optional.of(lineAt + ": positions must ascend (" + LogPositions.describe(line.getPosition())
                            + " after " + LogPositions.describe(previous) + ")");
                }
                previous = line.getPosition();
                textBytes += utf8Length(line.getText());
            }
            if (source.getLinesCount() == 0 && source.getDroppedLines() == 0) {
                return Optional.of(at + ": has neither lines nor drops");
            }
            lines += source.getLinesCount();
        }
        if (lines > GrpcLimits.MAX_LOG_LINES_PER_BATCH) {
            return Optional.of("has " + lines + " lines, more than " + GrpcLimits.MAX_LOG_LINES_PER_BATCH);
        }
        if (textBytes > GrpcLimits.MAX_LOG_BATCH_TEXT_BYTES) {
            return Optional.of("has " + textBytes + " bytes of line text, more than " + GrpcLimits.MAX_LOG_BATCH_TEXT_BYTES);
        }
        return Optional.empty();
    }

    private static Optional<String> sourceProblem(LogSource source, String at) {
        if (source.getAgent()) {
            if (!source.getDeploymentId().isEmpty() || !source.getNamespace().isEmpty() || !source.getPod().isEmpty()
                    || !source.getPodUid().isEmpty() || !AgentLogSource.CONTAINER.equals(source.getContainer())) {
                return Optional.of(at + ": the agent's own log has no deployment_id, namespace, pod or pod_uid, and "
                        + "container " + AgentLogSource.CONTAINER);
            }
            return Optional.empty();
        }
        if (source.getDeploymentId().isEmpty() || source.getDeploymentId().length() > MAX_ID_CHARS) {
            return Optional.of(at + ": deployment_id must have 1 to " + MAX_ID_CHARS + " characters");
        }
        if (!name(source.getNamespace(), MAX_NAME_CHARS)) {
            return Optional.of(at + ": namespace must have 1 to " + MAX_NAME_CHARS + " characters");
        }
        if (!name(source.getPod(), MAX_NAME_CHARS)) {
            return Optional.of(at + ": pod must have 1 to " + MAX_NAME_CHARS + " characters");
        }
        if (!name(source.getPodUid(), MAX_POD_UID_CHARS)) {
            return Optional.of(at + ": pod_uid must have 1 to " + MAX_POD_UID_CHARS + " characters");
        }
        if (!name(source.getContainer(), MAX_NAME_CHARS)) {
            return Optional.of(at + ": container must have 1 to " + MAX_NAME_CHARS + " characters");
        }
        return Optional.empty();
    }

    private static Optional<String> dropProblem(SourceLogs source, String at) {
        if (source.getDroppedLines() < 0) {
            return Optional.of(at + ": dropped_lines must not be negative");
        }
        if (source.getDroppedLines() == 0) {
            return Optional.empty();
        }
        if (!source.hasDroppedFrom() || !source.hasDroppedThrough()
                || LogPositions.after(source.getDroppedFrom(), source.getDroppedThrough())) {
            return Optional.of(at + ": dropped lines need dropped_from at or before dropped_through");
        }
        if (source.getLinesCount() > 0 && !LogPositions.after(source.getLines(0).getPosition(), source.getDroppedThrough())) {
            return Optional.of(at + ": drops must be before the batch's first line of the source");
        }
        return Optional.empty();
    }

    private static Optional<String> lineProblem(LogLine line, String at) {
        if (!line.hasPosition() || line.getPosition().getTimeUnixNanos() <= 0 || line.getPosition().getOrdinal() < 0) {
            return Optional.of(at + ": position needs a positive time and an ordinal of 0 or more");
        }
        if (line.getStream() == LogStream.UNRECOGNIZED) {
            return Optional.of(at + ": unknown stream");
        }
        long bytes = utf8Length(line.getText());
        if (bytes > GrpcLimits.MAX_LOG_LINE_BYTES) {
            return Optional.of(at + ": text has " + bytes + " bytes, more than " + GrpcLimits.MAX_LOG_LINE_BYTES);
        }
        if (!wellFormed(line.getText())) {
            return Optional.of(at + ": text is not valid UTF-8");
        }
        return Optional.empty();
    }

    private static boolean name(String value, int max) {
        return !value.isEmpty() && value.length() <= max;
    }

    /** Protobuf already refuses invalid UTF-8 in proto3 strings; a lone surrogate cannot come from it, but is checked. */
    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static long utf8Length(String text) {
        // Counting without encoding: the batch may carry 1 MiB of text.
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** What a stored line's text holds: PostgreSQL text cannot hold NUL, so it becomes U+FFFD on both databases. */
    static String storable(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }
}
