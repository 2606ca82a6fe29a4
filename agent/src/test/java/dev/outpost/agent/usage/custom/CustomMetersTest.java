package dev.outpost.agent.usage.custom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.usage.SpooledRecord;
import dev.outpost.agent.usage.UsageWindow;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CustomMetersTest {
    private static final MeterDeclaration REQUESTS = new MeterDeclaration("requests.served", "request", MeterKind.COUNTER,
            "http_requests_total", Map.of("code", "200"));
    private static final MeterDeclaration CLIENTS = new MeterDeclaration("clients.connected", "client", MeterKind.GAUGE,
            "clients", Map.of());
    private static final MeterAnnotations.ScrapeTarget TARGET = new MeterAnnotations.ScrapeTarget(9090, "/metrics",
            List.of(REQUESTS, CLIENTS), Set.of());
    private static final UsageWindow W1 = new UsageWindow(60_000, 120_000);
    private static final UsageWindow W2 = new UsageWindow(120_000, 180_000);
    private static final UsageWindow W3 = new UsageWindow(180_000, 240_000);

    @Test
    void countersAreBilledTheirIncreaseSummedOverPodsAndGaugesTheirSampleAcrossRounds() {
        CustomMeters.Measured first = CustomMeters.measure("a1", "dep", List.of(W1), List.of(
                scrape("uid-a", "web-a", 0, 0, "http_requests_total{code=\"200\"} 100\nhttp_requests_total{code=\"500\"} 9\nclients 2"),
                scrape("uid-b", "web-b", 0, 0, "http_requests_total{code=\"200\"} 50\nclients 3")), Map.of(), 0);
        // the first scrape only sets baselines: what the pods counted before is not known to be in this window
        assertThat(quantities(first)).containsEntry("requests.served@120000", "0").containsEntry("clients.connected@120000", "5");

        CustomMeters.Measured second = CustomMeters.measure("a1", "dep", List.of(W2), List.of(
                scrape("uid-a", "web-a", 0, 0, "http_requests_total{code=\"200\"} 130.25\nclients 1"),
                scrape("uid-b", "web-b", 0, 0, "http_requests_total{code=\"200\"} 4\nclients 1")), first.baselines(), 120_500);
        // web-a grew 30.25; web-b went down from 50 to 4: it was reset, so its 4 count from 0
        assertThat(quantities(second)).containsEntry("requests.served@180000", "34.25").containsEntry("clients.connected@180000", "2");
        assertThat(second.records()).extracting(SpooledRecord::key).doesNotHaveDuplicates();
        assertThat(second.problems()).isEmpty();
    }

    @Test
    void aPodThatDidNotAnswerKeepsItsBaselineAndIsBilledWhenItAnswersAgain() {
        Map<String, CounterBaseline> baselines = Map.of(CustomMeters.baselineKey("dep", "requests.served", "uid-a"),
                CounterBaseline.of(new BigDecimal("100"), 0));
        PodScrape silent = new PodScrape("uid-a", "web-a", 0, 0, TARGET, Optional.empty(), Optional.of("no answer"));

        CustomMeters.Measured missed = CustomMeters.measure("a1", "dep", List.of(W2), List.of(silent), baselines, 120_500);
        assertThat(quantities(missed)).containsEntry("requests.served@180000", "0");
        assertThat(missed.baselines()).isEqualTo(baselines);

        CustomMeters.Measured back = CustomMeters.measure("a1", "dep", List.of(W3), List.of(
                scrape("uid-a", "web-a", 0, 0, "http_requests_total{code=\"200\"} 175\nclients 0")), missed.baselines(), 180_500);
        assertThat(quantities(back)).containsEntry("requests.served@240000", "75");
    }

    @Test
    void aPodStartedSinceTheLastRoundIsBilledAllItCountedAndAGoneOneLeavesNoBaseline() {
        Map<String, CounterBaseline> baselines = Map.of(CustomMeters.baselineKey("dep", "requests.served", "uid-old"),
                CounterBaseline.of(new BigDecimal("100"), 0));

        CustomMeters.Measured measured = CustomMeters.measure("a1", "dep", List.of(W2), List.of(
                scrape("uid-new", "web-new", 121_000, 0, "http_requests_total{code=\"200\"} 12\nclients 1")), baselines, 120_500);

        assertThat(quantities(measured)).containsEntry("requests.served@180000", "12");
        assertThat(measured.baselines()).containsOnlyKeys(CustomMeters.baselineKey("dep", "requests.served", "uid-new"));
    }

    @Test
    void afterAGapTheCounterIsBilledOnceInTheLatestWindowAndTheGaugeInEveryWindow() {
        Map<String, CounterBaseline> baselines = Map.of(CustomMeters.baselineKey("dep", "requests.served", "uid-a"),
                CounterBaseline.of(new BigDecimal("100"), 0));

        CustomMeters.Measured measured = CustomMeters.measure("a1", "dep", List.of(W1, W2, W3), List.of(
                scrape("uid-a", "web-a", 0, 0, "http_requests_total{code=\"200\"} 160\nclients 4")), baselines, 60_500);

        // every window has its record; the counter's whole increase is in the latest
        assertThat(quantities(measured)).containsOnly(Map.entry("requests.served@240000", "60"),
                Map.entry("requests.served@120000", "0"), Map.entry("requests.served@180000", "0"),
                Map.entry("clients.connected@120000", "4"), Map.entry("clients.connected@180000", "4"),
                Map.entry("clients.connected@240000", "4"));
    }

    @Test
    void conflictingDeclarationsMissingSamplesAndNegativeGaugesAreProblemsNotUsage() {
        MeterDeclaration asGauge = new MeterDeclaration("requests.served", "request", MeterKind.GAUGE, "other", Map.of());
        PodScrape conflicting = new PodScrape("uid-b", "web-b", 0, 0,
                new MeterAnnotations.ScrapeTarget(9090, "/metrics", List.of(asGauge), Set.of()),
                Optional.of(PrometheusText.read("other 5", Set.of("other"))), Optional.empty());

        CustomMeters.Measured measured = CustomMeters.measure("a1", "dep", List.of(W1), List.of(
                scrape("uid-a", "web-a", 0, 0, "clients -3"), conflicting), Map.of(), 0);

        assertThat(quantities(measured)).containsOnly(Map.entry("requests.served@120000", "0"),
                Map.entry("clients.connected@120000", "0"));
        assertThat(measured.problems()).hasSize(3).anySatisfy(p -> assertThat(p).contains("serves no sample of http_requests_total"))
                .anySatisfy(p -> assertThat(p).contains("usage cannot be negative"))
                .anySatisfy(p -> assertThat(p).contains("declares meter requests.served as gauge"));
    }

    private static PodScrape scrape(String uid, String name, long startedAtMs, int restarts, String page) {
        return new PodScrape(uid, name, startedAtMs, restarts, TARGET,
                Optional.of(PrometheusText.read(page, Set.of("http_requests_total", "clients"))), Optional.empty());
    }

    private static Map<String, String> quantities(CustomMeters.Measured measured) {
        Map<String, String> byMeterAndEnd = new HashMap<>();
        for (SpooledRecord record : measured.records()) {
            assertThat(byMeterAndEnd.put(record.meter() + "@" + record.windowEndMs(), record.quantity())).isNull();
        }
        return byMeterAndEnd;
    }
}
