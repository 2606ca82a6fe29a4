package dev.outpost.hub.testsupport;

import dev.outpost.hub.enrollment.CaFingerprintSource;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/** A fixed CA fingerprint for REST tests, active only where {@link #PROPERTY} is set. */
@Singleton
@Replaces(CaFingerprintSource.class)
@Requires(property = FakeCaFingerprintSource.PROPERTY, value = "true")
public class FakeCaFingerprintSource implements CaFingerprintSource {
    /** Test property that switches this fake on. */
    public static final String PROPERTY = "outpost.test.fake-ca";
    /** The fingerprint it reports. */
    public static final String FINGERPRINT = "sha256:" + "ab".repeat(32);

    @Override
    public String caFingerprint() {
        return FINGERPRINT;
    }
}
