package dev.outpost.agent.connection;

import dev.outpost.agent.identity.CertificateExpiry;
import io.grpc.Status;
import java.util.Set;

/**
 * How the reconnect loop reads the end of a control stream: whether the hub will refuse this agent
 * until an operator acts (then retries are slow and the reason is an error), and what to log.
 *
 * @param refused retry with the slow refusal backoff
 * @param reason one line for the log, without the retry delay
 */
record StreamEnd(boolean refused, String reason) {
    private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);
    /** The hub refused what this agent sent; sending it again soon cannot help. */
    private static final Set<Status.Code> MESSAGE_REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT,
            Status.Code.FAILED_PRECONDITION);

    static StreamEnd of(Status status, CertificateExpiry certificate) {
        // An expired certificate fails the TLS handshake, which gRPC reports as UNAVAILABLE like any outage.
        if (certificate.expired()) {
            return new StreamEnd(true, certificate.expiredMessage());
        }
        if (REFUSALS.contains(status.getCode())) {
            return new StreamEnd(true, "the hub refused this agent: " + status.getCode() + " "
                    + status.getDescription() + ". The agent was revoked or enrolled again elsewhere; to enrol "
                    + "again with a new join token, " + certificate.howToReEnrol());
        }
        if (MESSAGE_REFUSALS.contains(status.getCode())) {
            return new StreamEnd(true, "the hub refused a message from this agent: " + status.getCode() + " "
                    + status.getDescription() + ". Retrying will not help until the agent (its version, or what it "
                    + "reports of its cluster) is fixed; upgrade the agent or report this");
        }
        return new StreamEnd(false, "control stream ended: " + status.getCode()
                + (status.getDescription() == null ? "" : " " + status.getDescription())
                + (status.getCause() == null ? "" : " (" + status.getCause().getMessage() + ")"));
    }
}
