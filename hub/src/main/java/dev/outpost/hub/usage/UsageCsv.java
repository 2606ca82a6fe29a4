package dev.outpost.hub.usage;

import java.util.List;

/** Usage periods as CSV (RFC 4180, CRLF line ends), one header line and one line per period. */
public final class UsageCsv {
    /** The header line's columns. */
    public static final String HEADER = "period_start,tenant_id,environment_id,deployment_id,meter,unit,quantity,records";
    public static final String CONTENT_TYPE = "text/csv";

    private UsageCsv() {
    }

    public static String of(List<UsageViews.Period> periods) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (UsageViews.Period p : periods) {
            csv.append(p.periodStart()).append(',').append(field(p.tenantId())).append(',')
                    .append(field(p.environmentId())).append(',').append(field(p.deploymentId())).append(',')
                    .append(field(p.meter())).append(',').append(field(p.unit())).append(',').append(p.quantity())
                    .append(',').append(p.records()).append("\r\n");
        }
        return csv.toString();
    }

    /** Ids, meters and units never hold a comma or quote; quoted anyway should one ever do. */
    private static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
