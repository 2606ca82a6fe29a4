package dev.outpost.hub.enrollment;

/**
 * An enrolment that already succeeded for the same join token and key (the agent never got the
 * answer): the identity it was given, which a retry gets again.
 */
public record RetriedEnrolment(String agentId, String tenantId, String environmentId) {
}
