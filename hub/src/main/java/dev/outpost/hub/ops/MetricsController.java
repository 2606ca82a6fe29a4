package dev.outpost.hub.ops;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** GET /metrics: Prometheus text format, no token needed (like /health). */
@Controller("/metrics")
@ExecuteOn(TaskExecutors.BLOCKING) // the agents-online gauge reads the database
public class MetricsController {
    private final HubMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsController(HubMetrics metrics) {
        this.metrics = metrics;
    }

    @Get
    public HttpResponse<byte[]> scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, metrics.registry().scrape());
        return HttpResponse.ok(out.toByteArray()).contentType(writer.getContentType());
    }
}
