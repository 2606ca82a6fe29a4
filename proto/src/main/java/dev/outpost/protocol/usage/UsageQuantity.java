package dev.outpost.protocol.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Usage quantities on the wire: exact decimals in plain notation, at most {@link #SCALE} digits after
 * the point and {@link #INTEGER_DIGITS} before it, never negative. The agent rounds what it measures
 * to that scale once; from then on every sum is exact.
 */
public final class UsageQuantity {
    /** Digits after the decimal point. */
    public static final int SCALE = 9;
    /** Digits before the decimal point. */
    public static final int INTEGER_DIGITS = 21;
    private static final Pattern PLAIN = Pattern.compile("[0-9]{1,21}(\\.[0-9]{1,9})?");

    private UsageQuantity() {
    }

    /** A measured amount rounded (half-even) to the wire's scale, trailing zeros removed. */
    public static BigDecimal rounded(BigDecimal measured) {
        if (measured.signum() < 0) {
            throw new IllegalArgumentException("usage cannot be negative: " + measured);
        }
        BigDecimal rounded = measured.setScale(SCALE, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0) : rounded;
    }

    /** The text of a quantity as sent in UsageRecord.quantity. */
    public static String format(BigDecimal quantity) {
        return rounded(quantity).toPlainString();
    }

    /** The quantity of a UsageRecord.quantity text, or empty when it breaks the rules. */
    public static Optional<BigDecimal> parse(String text) {
        if (text == null || !PLAIN.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(text));
    }
}
