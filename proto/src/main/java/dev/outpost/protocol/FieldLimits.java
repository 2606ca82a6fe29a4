package dev.outpost.protocol;

/**
 * Limits on the fields of outpost.v1 messages an agent sends, in one place so the hub's checks, the
 * hub's columns and docs/protocol.md agree. Text lengths are in code points (see
 * {@code dev.outpost.protocol.text.FreeText}); a column that stores a text holds at least twice its
 * limit, since H2 counts UTF-16 units where PostgreSQL counts code points (migration V4).
 */
public final class FieldLimits {
    /** {@code agent_version} (Hello, EnrollRequest): column agents.version. */
    public static final int AGENT_VERSION_CHARS = 100;
    /** {@code cluster.kubernetes_version}: column agents.kubernetes_version. */
    public static final int KUBERNETES_VERSION_CHARS = 100;
    /** {@code cluster.platform}: column agents.platform. */
    public static final int PLATFORM_CHARS = 100;
    /** {@code join_token}: "<id>.<secret>" as the hub issues it is far shorter; longer is not a token. */
    public static final int JOIN_TOKEN_CHARS = 256;
    /** {@code csr_der}: a PKCS#10 request over an EC P-256 key is a few hundred bytes. */
    public static final int CSR_BYTES = 8 * 1024;
    /** {@code Hello.applied}: entries, one per deployment the agent owns. */
    public static final int APPLIED_ENTRIES = 1000;
    /** Ids the hub issues (deployments, commands): columns are varchar(64). */
    public static final int ID_CHARS = 64;
    /** {@code content_hash}: "sha256:" and 64 hex digits; column deployments.content_hash is varchar(80). */
    public static final int CONTENT_HASH_CHARS = 80;
    /** Steps the hub keeps of one progress report or result; later ones are dropped. */
    public static final int STEPS = 500;
    /** A step's name is cut to this many code points when stored. */
    public static final int STEP_NAME_CHARS = 200;
    /** A step's message is cut to this many code points when stored. */
    public static final int STEP_MESSAGE_CHARS = 500;
    /** {@code CommandProgress.awaiting_approval} is cut to this many code points when stored. */
    public static final int AWAITING_APPROVAL_CHARS = 500;
    /** {@code Hello.allowed_namespaces}: entries, each a DNS-1123 label. */
    public static final int ALLOWED_NAMESPACES = 100;
    /** {@code AgentCondition.reason}, in code points (column agents.condition_reason holds more, for NFC growth). */
    public static final int CONDITION_REASON_CHARS = 500;
    /** {@code AgentCondition.since_unix_ms} at most 9999-12-31T23:59:59.999Z: later does not fit both databases. */
    public static final long LATEST_UNIX_MS = 253_402_300_799_999L;
    /** {@code CommandResult.failure_reason} is cut to this many code points (column operations.failure_reason). */
    public static final int FAILURE_REASON_CHARS = 3000;

    private FieldLimits() {
    }
}
