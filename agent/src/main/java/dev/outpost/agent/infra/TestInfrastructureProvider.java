package dev.outpost.agent.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider for tests and demos that makes nothing: on every call it reads a YAML (or JSON) file
 * mapping {@code kind/name} to how the item behaves, so a test can make a step fail, edit the file,
 * and retry. Example:
 * <pre>
 * nodePool/gpu: "fail: quota exceeded: 0 of 1 g5.xlarge available in eu-west-1"
 * bucket/models: succeed after 3 seconds
 * bucket/logs: {fail: "access denied: s3:CreateBucket"}
 * "*": succeed                 # any item not listed (optional)
 * remove nodePool/gpu: succeed # how removing it behaves (default: succeed)
 * </pre>
 * An item the file does not mention (and no {@code "*"}) fails, naming the file.
 */
public final class TestInfrastructureProvider implements InfrastructureProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TestInfrastructureProvider.class);
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final long MAX_FILE_BYTES = 64 * 1024;

    private final Path file;

    public TestInfrastructureProvider(Path file) {
        this.file = file;
    }

    @Override
    public InfrastructureResult ensure(InfrastructureRequirement requirement, Duration timeout) throws InterruptedException {
        String item = requirement.getKind() + "/" + requirement.getName();
        return carryOut("ensure", item, behaviour(item, "*"), timeout);
    }

    @Override
    public InfrastructureResult remove(String kind, String name, Duration timeout) throws InterruptedException {
        String item = kind + "/" + name;
        return carryOut("remove", item, behaviour("remove " + item, null)
                .or(() -> Optional.of(new Answer(TestBehaviour.parse("succeed"), null))), timeout);
    }

    private InfrastructureResult carryOut(String verb, String item, Optional<Answer> answer, Duration timeout)
            throws InterruptedException {
        if (answer.isEmpty()) {
            return InfrastructureResult.failed("the test infrastructure file " + file + " says nothing about " + item);
        }
        if (answer.get().problem() != null) {
            return InfrastructureResult.failed(answer.get().problem());
        }
        TestBehaviour behaviour = answer.get().behaviour();
        LOG.info("test infrastructure provider: {} {}: {}", verb, item, behaviour);
        if (!behaviour.succeeds()) {
            return InfrastructureResult.failed(behaviour.failure());
        }
        Duration delay = Duration.ofSeconds(behaviour.delaySeconds());
        if (delay.compareTo(timeout) > 0) {
            Thread.sleep(timeout.toMillis());
            return InfrastructureResult.failed(item + " not ready after " + timeout.toSeconds()
                    + " s (the test provider takes " + delay.toSeconds() + " s)");
        }
        Thread.sleep(delay.toMillis());
        String done = verb.equals("remove") ? " removed" : " ready";
        return InfrastructureResult.succeeded(item + done + (delay.isZero() ? "" : " after " + delay.toSeconds() + " s"));
    }

    /** The behaviour the file gives {@code key} (or {@code fallback}); an answer with a problem when the file is bad. */
    private Optional<Answer> behaviour(String key, String fallback) {
        JsonNode root;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return Optional.of(new Answer(null, "the test infrastructure file " + file + " is larger than "
                        + MAX_FILE_BYTES + " bytes"));
            }
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            return Optional.of(new Answer(null, "the test infrastructure file " + file + " cannot be read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return Optional.of(new Answer(null, "the test infrastructure file " + file
                    + " must be a mapping of kind/name to succeed, succeed after N seconds or fail: MESSAGE"));
        }
        JsonNode value = root.has(key) ? root.get(key) : fallback == null ? null : root.get(fallback);
        if (value == null) {
            return Optional.empty();
        }
        try {
            // {fail: MESSAGE} spares quoting a message that has a colon in it
            String text = value.isObject() && value.has("fail") ? "fail: " + value.get("fail").asText() : value.asText();
            return Optional.of(new Answer(TestBehaviour.parse(text), null));
        } catch (IllegalArgumentException e) {
            return Optional.of(new Answer(null, "the test infrastructure file " + file + ", " + key + ": " + e.getMessage()));
        }
    }

    private record Answer(TestBehaviour behaviour, String problem) {
    }
}
