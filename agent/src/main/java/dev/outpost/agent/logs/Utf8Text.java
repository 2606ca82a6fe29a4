package dev.outpost.agent.logs;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decoding container output (any bytes) into valid UTF-8 text, and cutting text at a character boundary. */
final class Utf8Text {
    /** Text within a byte limit, and whether anything was cut off to get there. */
    record Cut(String text, boolean truncated, int bytes) {
    }

    private Utf8Text() {
    }

    /** The bytes as text; invalid sequences become U+FFFD, as the protocol wants valid UTF-8 only. */
    static String decode(byte[] bytes, int from, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, from, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder never fails", e);
        }
    }

    /** {@code text} cut to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
    static Cut cut(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return new Cut(text, false, bytes.length);
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // bytes[end] continues a character that starts before it: cut before that character
        }
        return new Cut(new String(bytes, 0, end, StandardCharsets.UTF_8), true, end);
    }
}
