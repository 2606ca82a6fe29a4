package dev.outpost.hub.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.CapturedLog;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OIDC bearer tokens through the REST API of a real hub, against an issuer served on loopback (its
 * discovery document and JWKS): the role and tenant come from the token's claims, and a token that
 * fails any check is a 401 like an unknown API token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcBearerTokensIT {
    private static final String ADMIN = "opa_" + "oi".repeat(16);
    private static final String AUDIENCE = "outpost-api";

    private final ECKey signing = key("k1");
    private final ECKey stranger = key("k2");
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private HttpServer issuerServer;
    private String issuer;
    private EmbeddedServer hub;
    private Api api;

    @BeforeAll
    void start() throws IOException {
        issuerServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort() + "/realms/ops";
        issuerServer.createContext("/realms/ops/.well-known/openid-configuration", exchange -> respond(exchange,
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/certs\"}"));
        issuerServer.createContext("/realms/ops/certs", exchange -> {
            jwksFetches.incrementAndGet();
            respond(exchange, new JWKSet(signing.toPublicJWK()).toString());
        });
        issuerServer.start();
        Map<String, String> properties = new HashMap<>(HubTestProperties.with(Map.of(), ADMIN));
        properties.put("outpost.oidc.issuer", issuer);
        properties.put("outpost.oidc.audience", AUDIENCE);
        hub = ApplicationContext.run(EmbeddedServer.class, Map.copyOf(properties));
        api = new Api(hub.getURI());
    }

    @AfterAll
    void stop() {
        if (hub != null) {
            hub.getApplicationContext().close();
        }
        issuerServer.stop(0);
    }

    @Test
    void aTokenFromTheIssuerActsWithTheRoleAndTenantItsClaimsName() throws Exception {
        String tenantA = api.post("/api/v1/tenants", ADMIN, Map.of("name", "oidc-a")).json().get("id").asText();
        String tenantB = api.post("/api/v1/tenants", ADMIN, Map.of("name", "oidc-b")).json().get("id").asText();

        String sre = token(claims("alice").claim("outpost_role", "sre"), signing);
        assertThat(api.get("/api/v1/tenants", sre).status()).isEqualTo(200);
        Api.Response refused = api.post("/api/v1/tenants", sre, Map.of("name", "nope"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("detail").asText())
                .startsWith("the role sre of sre token 'oidc alice@vendor.example' lacks the capability ");

        String viewer = token(claims("bob").claim("outpost_role", "tenant-viewer").claim("outpost_tenant", tenantA), signing);
        assertThat(api.get("/api/v1/tenants/" + tenantA, viewer).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tenants/" + tenantB, viewer).status()).as("another tenant looks absent").isEqualTo(404);
    }

    @Test
    void aTokenThatFailsAnyCheckIsUnauthorizedAsAnUnknownApiTokenIs() throws Exception {
        JWTClaimsSet.Builder ok = claims("carol").claim("outpost_role", "admin");
        assertThat(status(token(ok, signing))).isEqualTo(200);

        assertThat(status(token(ok, stranger))).as("signed by a key the issuer does not publish").isEqualTo(401);
        assertThat(status(token(claims("carol").claim("outpost_role", "admin").issuer("https://evil.example"), signing)))
                .as("another issuer").isEqualTo(401);
        assertThat(status(token(claims("carol").claim("outpost_role", "admin").audience("other-client"), signing)))
                .as("another audience").isEqualTo(401);
        assertThat(status(token(claims("carol").claim("outpost_role", "admin")
                .expirationTime(Date.from(Instant.now().minusSeconds(120))), signing))).as("expired").isEqualTo(401);
        assertThat(status(token(claims("carol").claim("outpost_role", "root"), signing))).as("no Outpost role")
                .isEqualTo(401);
        assertThat(status(token(claims("carol").claim("outpost_role", "tenant-admin"), signing)))
                .as("a tenant role without its tenant").isEqualTo(401);
        assertThat(status(new PlainJWT(ok.build()).serialize() + "x")).as("unsigned").isEqualTo(401);
        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), ok.build());
        hmac.sign(new MACSigner("a shared secret of at least thirty-two bytes!!"));
        assertThat(status(hmac.serialize())).as("a shared-secret signature").isEqualTo(401);
        String forged = token(ok, stranger);
        try (CapturedLog log = new CapturedLog()) {
            Api.Response unauthorized = api.get("/api/v1/tenants", forged);
            assertThat(unauthorized.raw().headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(log.linesContaining("401 for GET /api/v1/tenants")).singleElement().asString()
                    .contains("an OIDC token that failed its checks");
            assertThat(log.events()).noneMatch(e -> e.getFormattedMessage().contains(forged.split("\\.")[2]));
        }
        assertThat(api.get("/metrics", null).raw().body()).contains("outpost_api_auth_failures_total{presented=\"oidc\"}");
        assertThat(jwksFetches.get()).as("keys cached, fetched again only for an unknown key id, rate limited")
                .isLessThanOrEqualTo(3);
    }

    @Test
    void anIssuerWithoutAnAudienceIsRefusedAtStart() {
        assertThatThrownBy(() -> new OidcTokens(new OidcConfig() {
            @Override
            public String getIssuer() {
                return issuer;
            }

            @Override
            public String getAudience() {
                return null;
            }

            @Override
            public java.net.URI getJwksUri() {
                return null;
            }

            @Override
            public String getRoleClaim() {
                return "outpost_role";
            }

            @Override
            public String getTenantClaim() {
                return "outpost_tenant";
            }
        }, java.time.Clock.systemUTC())).hasMessageContaining("outpost.oidc.audience");
    }

    private int status(String bearer) {
        return api.get("/api/v1/tenants", bearer).status();
    }

    private JWTClaimsSet.Builder claims(String user) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE).subject("user-" + user)
                .claim("preferred_username", user + "@vendor.example")
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)));
    }

    private static String token(JWTClaimsSet.Builder claims, ECKey key) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static ECKey key(String id) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(id).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
