package dev.outpost.charts;

import java.util.Map;

/** The hub chart's values sets the tests render, each as a vendor would write it. */
public final class HubValues {
    public static final String PUBLIC_GATEWAY = "hub.vendor.example";

    private HubValues() {
    }

    /** Nothing given: one replica on embedded H2 in a claim; the hub makes its CA and admin token. */
    public static String defaults() {
        return "{}\n";
    }

    /** Three replicas sharing PostgreSQL and one CA, the gateway public, every secret from a Secret. */
    public static String postgresReplicas() {
        return """
                replicas: 3
                database:
                  url: jdbc:postgresql://db.vendor.internal:5432/outpost
                  user: outpost
                  passwordSecret: {name: hub-db, key: password}
                adminToken: {existingSecret: hub-admin, key: token}
                ca: {existingSecret: hub-ca}
                persistence: {enabled: false}
                gateway: {type: LoadBalancer, hostnames: [%s], loadBalancerSourceRanges: [203.0.113.0/24]}
                config: {OUTPOST_OFFLINE_AFTER: 45s, OUTPOST_MAX_CONCURRENT_PACKAGE_RENDERS: 4, MICRONAUT_SERVER_MAX_REQUEST_SIZE: 20971520}
                """.formatted(PUBLIC_GATEWAY);
    }

    /** Scraped by the Prometheus Operator, the REST API behind an Ingress. */
    public static String monitoringAndIngress() {
        return """
                serviceMonitor: {enabled: true, labels: {release: prometheus}}
                ingress:
                  enabled: true
                  className: nginx
                  host: api.vendor.example
                  tls: [{hosts: [api.vendor.example], secretName: api-tls}]
                """;
    }

    /** Images from a private registry. */
    public static String privateRegistry() {
        return """
                image: {registry: myregistry.example, repository: outpost/outpost-hub, tag: 1.2.3}
                imagePullSecrets: [regcred]
                """;
    }

    public static Map<String, String> all() {
        return Map.of("defaults", defaults(), "postgres-replicas", postgresReplicas(),
                "monitoring-ingress", monitoringAndIngress(), "private-registry", privateRegistry());
    }
}
