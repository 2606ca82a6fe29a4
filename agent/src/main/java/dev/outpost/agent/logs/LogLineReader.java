package dev.outpost.agent.logs;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a log stream into lines, holding at most {@code maxBytes} of one line in memory: the rest
 * of a longer line is read and skipped. A last line without its line break (the stream was cut
 * mid-line) is not returned: it is read again, whole, on the next connection.
 */
final class LogLineReader {
    private final InputStream in;
    private final byte[] chunk = new byte[8192];
    private final byte[] line;
    private int chunkLength;
    private int chunkOffset;

    LogLineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.line = new byte[maxBytes];
    }

    /** The next complete line, or null at the end of the stream. */
    RawLine next() throws IOException {
        int length = 0;
        boolean overflowed = false;
        while (true) {
            if (chunkOffset == chunkLength) {
                chunkLength = in.read(chunk);
                chunkOffset = 0;
                if (chunkLength < 0) {
                    chunkLength = 0;
                    return null;
                }
            }
            while (chunkOffset < chunkLength) {
                byte b = chunk[chunkOffset++];
                if (b == '\n') {
                    if (length > 0 && line[length - 1] == '\r' && !overflowed) {
                        length--;
                    }
                    byte[] copy = new byte[length];
                    System.arraycopy(line, 0, copy, 0, length);
                    return new RawLine(copy, length, overflowed);
                }
                if (length < line.length) {
                    line[length++] = b;
                } else {
                    overflowed = true;
                }
            }
        }
    }
}
