package dev.outpost.hub.auth.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.outpost.hub.access.Role;
import dev.outpost.hub.auth.Caller;
import dev.outpost.protocol.text.FreeText;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks OIDC bearer tokens: a JWT signed (RS256, ES256, PS256 and the larger sizes; never "none" nor
 * a shared secret) by a key of the issuer's JWKS, naming the configured issuer and audience, within
 * its exp and nbf (60 s of clock skew), whose role claim names an Outpost role (and, for a tenant role,
 * whose tenant claim names the tenant). The JWKS is fetched with bounded timeouts and size, cached five
 * minutes, and fetched again for an unknown key id (rate limited). A token that fails any check is no
 * caller; why is logged, never the token.
 */
@Singleton
public final class OidcTokens {
    private static final Logger LOG = LoggerFactory.getLogger(OidcTokens.class);
    /** Three base64url parts: what a JWT looks like, and an Outpost API token ("opa_…") never does. */
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.PS256,
            JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final int TIMEOUT_MS = 2000;
    private static final int MAX_DOCUMENT_BYTES = 256 * 1024;
    private static final int MAX_SUBJECT_CHARS = 200;

    private final OidcConfig config;
    private final Clock clock;
    private final ResourceRetriever retriever = new DefaultResourceRetriever(TIMEOUT_MS, TIMEOUT_MS, MAX_DOCUMENT_BYTES);
    private volatile DefaultJWTProcessor<SecurityContext> processor;

    /** @throws IllegalArgumentException when the issuer is set without an audience */
    public OidcTokens(OidcConfig config, Clock clock) {
        if (config.getIssuer() != null && (config.getAudience() == null || config.getAudience().isBlank())) {
            throw new IllegalArgumentException("outpost.oidc.issuer is set but outpost.oidc.audience (OUTPOST_OIDC_AUDIENCE) "
                    + "is not: tokens for any client of the issuer would be taken");
        }
        this.config = config;
        this.clock = clock;
    }

    /** Whether OIDC tokens are taken at all. */
    public boolean enabled() {
        return config.getIssuer() != null && !config.getIssuer().isBlank();
    }

    /** Whether {@code bearer} has the shape of a JWT (three base64url parts). */
    public static boolean looksLikeJwt(String bearer) {
        return bearer.length() <= 16 * 1024 && JWT.matcher(bearer).matches();
    }

    /** The caller a valid token stands for; empty for any token that fails a check (logged without the token). */
    public Optional<Caller> find(String bearer) {
        if (!enabled()) {
            return Optional.empty();
        }
        JWTClaimsSet claims;
        try {
            claims = processor().process(bearer, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            LOG.info("OIDC token refused: {}", FreeText.forLog(e.getMessage() == null ? e.toString() : e.getMessage()));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("OIDC token refused: the issuer's keys cannot be had now ({})", FreeText.forLog(e.toString()));
            return Optional.empty();
        }
        return caller(claims);
    }

    private Optional<Caller> caller(JWTClaimsSet claims) {
        String subject = claims.getSubject();
        Object roleClaim = claims.getClaim(config.getRoleClaim());
        Optional<Role> role = roleClaim instanceof String name ? Role.named(name) : Optional.empty();
        if (role.isEmpty()) {
            LOG.info("OIDC token of subject {} refused: claim {} names no Outpost role ({})", FreeText.forLog(subject),
                    config.getRoleClaim(), FreeText.forLog(String.valueOf(roleClaim)));
            return Optional.empty();
        }
        String tenant = null;
        if (!role.get().vendor()) {
            Object tenantClaim = claims.getClaim(config.getTenantClaim());
            if (!(tenantClaim instanceof String t) || t.isBlank() || t.length() > 64) {
                LOG.info("OIDC token of subject {} refused: role {} needs claim {} with the tenant id",
                        FreeText.forLog(subject), role.get().json(), config.getTenantClaim());
                return Optional.empty();
            }
            tenant = t;
        }
        String name = Optional.ofNullable(stringClaim(claims, "preferred_username"))
                .or(() -> Optional.ofNullable(stringClaim(claims, "email"))).orElse(subject);
        return Optional.of(new Caller("oidc:" + subject, role.get(), tenant, "oidc " + name, null));
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String value && !value.isBlank() ? value : null;
    }

    /** Built at the first token: the JWKS location may need the issuer's discovery document. */
    private DefaultJWTProcessor<SecurityContext> processor() throws IOException {
        DefaultJWTProcessor<SecurityContext> built = processor;
        if (built != null) {
            return built;
        }
        synchronized (this) {
            if (processor == null) {
                JWKSource<SecurityContext> keys = JWKSourceBuilder.create(jwksUrl(), retriever).build();
                DefaultJWTProcessor<SecurityContext> fresh = new DefaultJWTProcessor<>();
                fresh.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
                fresh.setJWTClaimsSetVerifier(new ClockedClaimsVerifier(config, clock));
                processor = fresh;
            }
            return processor;
        }
    }

    private URL jwksUrl() throws IOException {
        if (config.getJwksUri() != null) {
            return config.getJwksUri().toURL();
        }
        String issuer = config.getIssuer().replaceAll("/+$", "");
        URL discovery = URI.create(issuer + "/.well-known/openid-configuration").toURL();
        JsonNode document = new ObjectMapper().readTree(retriever.retrieveResource(discovery).getContent());
        String jwks = document.path("jwks_uri").asText("");
        if (jwks.isEmpty()) {
            throw new IOException(discovery + " names no jwks_uri");
        }
        return URI.create(jwks).toURL();
    }

    /** iss, aud, sub, exp required; exp and nbf against the injected clock. */
    private static final class ClockedClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final Clock clock;

        ClockedClaimsVerifier(OidcConfig config, Clock clock) {
            super(config.getAudience(), new JWTClaimsSet.Builder().issuer(config.getIssuer()).build(),
                    Set.of("sub", "exp", "iss", "aud"));
            this.clock = clock;
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            super.verify(claims, context);
            if (claims.getSubject().length() > MAX_SUBJECT_CHARS) {
                throw new BadJWTException("sub is longer than " + MAX_SUBJECT_CHARS + " characters");
            }
        }
    }
}
