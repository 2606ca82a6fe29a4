package dev.outpost.agent.logs;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The values of the Secrets among objects the agent applied: what its deployments' logs must not show. */
final class SecretValues {
    private SecretValues() {
    }

    /**
     * Every {@code stringData} value and every {@code data} value (decoded from base64) of the Secret
     * objects; data that is not text (a keystore) cannot appear in a log line as such and is skipped.
     */
    static Set<String> of(Collection<Map<String, Object>> objects) {
        Set<String> values = new TreeSet<>();
        for (Map<String, Object> object : objects) {
            if (!"Secret".equals(object.get("kind"))) {
                continue;
            }
            if (object.get("stringData") instanceof Map<?, ?> stringData) {
                stringData.values().forEach(value -> {
                    if (value != null) {
                        values.add(String.valueOf(value));
                    }
                });
            }
            if (object.get("data") instanceof Map<?, ?> data) {
                data.values().forEach(value -> {
                    if (value instanceof String encoded) {
                        decodedText(encoded).ifPresent(values::add);
                    }
                });
            }
        }
        values.removeIf(String::isBlank);
        return values;
    }

    private static java.util.Optional<String> decodedText(String encoded) {
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(encoded);
            return java.util.Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return java.util.Optional.empty();
        }
    }
}
