package dev.outpost.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class ActiveAgentTest {
    private static final BigInteger CURRENT = new BigInteger("ab12", 16);
    private static final BigInteger RENEWED = new BigInteger("cd34", 16);
    private final ActiveAgent renewing = new ActiveAgent("a1", "t1", "e1", "AB12", "cd34");

    @Test
    void whileARenewalIsPendingBothCertificatesAreAdmittedAndOnlyTheRenewedOneTakesOver() {
        assertThat(renewing.admits(CURRENT)).isTrue();
        assertThat(renewing.admits(RENEWED)).isTrue();
        assertThat(renewing.admits(BigInteger.TEN)).isFalse();
        assertThat(renewing.isNext(RENEWED)).isTrue();
        assertThat(renewing.isNext(CURRENT)).isFalse();
        assertThat(new ActiveAgent("a1", "t1", "e1", "ab12").admits(RENEWED)).isFalse();
    }

    @Test
    void aCallHoldsTheCertificateItPresentedAndGoesOnOnlyWhileThatOneIsAdmitted() {
        ActiveAgent heldWithOld = renewing.presenting(CURRENT);
        ActiveAgent heldWithNew = renewing.presenting(RENEWED);
        ActiveAgent takenOver = new ActiveAgent("a1", "t1", "e1", "cd34");

        assertThat(heldWithOld).isEqualTo(new ActiveAgent("a1", "t1", "e1", "AB12"));
        assertThat(heldWithNew).isEqualTo(takenOver);
        assertThat(renewing.stillAdmits(heldWithOld)).as("a renewal alone cuts no stream").isTrue();
        assertThat(takenOver.stillAdmits(heldWithOld)).as("once the renewed one took over").isFalse();
        assertThat(takenOver.stillAdmits(heldWithNew)).isTrue();
        assertThat(new ActiveAgent("a1", "t1", "e2", "cd34").stillAdmits(heldWithNew)).isFalse();
        assertThat(new ActiveAgent("a1", "t1", "e1", "not-hex").stillAdmits(heldWithNew)).isFalse();
    }
}
