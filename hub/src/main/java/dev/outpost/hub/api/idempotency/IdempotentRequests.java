package dev.outpost.hub.api.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a mutating REST call safe to retry: with an {@code Idempotency-Key}, the change and its
 * response are committed in one transaction; a retry with the same key and the same request gets
 * that response again (not a second change), the same key with another request gets 422. Only
 * successful responses are kept: a refused request changed nothing, so its retry simply runs again.
 */
@Singleton
public class IdempotentRequests {
    /** The request header. */
    public static final String HEADER = "Idempotency-Key";
    /** Set on a response that is a replay of the first one. */
    public static final String REPLAYED_HEADER = "Idempotency-Replayed";
    /** Longest key accepted (UUIDs and ULIDs fit many times over). */
    public static final int MAX_KEY_LENGTH = 255;
    private static final Logger LOG = LoggerFactory.getLogger(IdempotentRequests.class);

    private final Database db;
    private final IdempotencyStore store;
    private final ObjectMapper json;
    private final Clock clock;
    private final HubConfig config;

    public IdempotentRequests(Database db, IdempotencyStore store, ObjectMapper json, Clock clock, HubConfig config) {
        this.db = db;
        this.store = store;
        this.json = json;
        this.clock = clock;
        this.config = config;
    }

    /** One call: who asks, with which key (null: none), on which route, with which body (null: none). */
    public record Call(Caller caller, String key, String method, String route, Object body) {
    }

    /**
     * Runs {@code action} and answers {@code status} with its result, or replays the response kept for
     * the call's key.
     */
    public HttpResponse<?> run(Call call, HttpStatus status, Supplier<?> action) {
        if (call.key() == null) {
            return HttpResponse.status(status).body(action.get());
        }
        checkKey(call.key());
        String scope = call.caller().isVendor() ? "admin" : call.caller().tenantId();
        String requestHash = requestHash(call);
        try {
            return db.inTransaction(sql -> {
                Instant now = clock.instant();
                var kept = store.find(sql, scope, call.key(), now);
                if (kept.isPresent()) {
                    return replay(call, requestHash, kept.get());
                }
                Object result = action.get();
                store.insert(sql, scope, call.key(),
                        new StoredResponse(requestHash, call.method(), call.route(), status.getCode(), write(result)),
                        now, now.plus(config.getIdempotencyKeysKept()));
                return HttpResponse.status(status).body(result);
            });
        } catch (StoreException.DuplicateKeyException e) {
            // Another request with this key committed first (PostgreSQL waited for it; H2 may not have):
            // answer with what it kept, which is the outcome of this request too.
            return db.read(sql -> store.find(sql, scope, call.key(), clock.instant()))
                    .map(kept -> replay(call, requestHash, kept))
                    .orElseThrow(() -> ApiException.conflict("a request with this Idempotency-Key is in progress; "
                            + "retry it later"));
        }
    }

    /**
     * Refuses an Idempotency-Key on a route that issues a secret: replaying its response would mean
     * keeping the secret, which the hub stores only hashed. Such a retry should list what exists and
     * revoke what it does not need instead.
     */
    public static void refuseForSecrets(String key) {
        if (key != null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, HEADER + " is not accepted where a secret is issued: "
                    + "the hub would have to keep the secret to replay it; send the request without it");
        }
    }

    private HttpResponse<?> replay(Call call, String requestHash, StoredResponse kept) {
        if (!kept.requestHash().equals(requestHash)) {
            String first = kept.method() + " " + kept.route();
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "Idempotency-Key '" + call.key()
                    + "' was already used for " + (first.equals(call.method() + " " + call.route())
                    ? "a request with another body" : first) + "; use a new key for a new request");
        }
        LOG.info("replayed the response to {} {} for {} (Idempotency-Key seen before)", call.method(), call.route(),
                call.caller());
        return HttpResponse.status(HttpStatus.valueOf(kept.status()))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(REPLAYED_HEADER, "true")
                .body(kept.responseJson());
    }

    private static void checkKey(String key) {
        boolean printable = !key.isEmpty() && key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        if (!printable || key.length() > MAX_KEY_LENGTH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, HEADER + " must be 1 to " + MAX_KEY_LENGTH
                    + " printable ASCII characters without spaces (a UUID is a good choice)");
        }
    }

    /** SHA-256 of method, route and the body as canonical JSON (object keys sorted). */
    private String requestHash(Call call) {
        JsonNode body = call.body() == null ? JsonNodeFactory.instance.nullNode() : json.valueToTree(call.body());
        return Secrets.hash(call.method() + " " + call.route() + "\n" + canonical(body));
    }

    /** The same JSON with every object's keys in order, so key order in a body does not matter. */
    private static JsonNode canonical(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            names.forEach(name -> sorted.set(name, canonical(object.get(name))));
            return sorted;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            array.forEach(item -> copy.add(canonical(item)));
            return copy;
        }
        return node;
    }

    private String write(Object result) {
        try {
            return json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot keep the response for an Idempotency-Key", e);
        }
    }
}
