package dev.outpost.hub.api.idempotency;

/** The first answer to a request sent with an Idempotency-Key, as kept for its retries. */
record StoredResponse(String requestHash, String method, String route, int status, String responseJson) {
}
