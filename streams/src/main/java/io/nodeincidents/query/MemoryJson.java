package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.forecast.HostMemoryState;
import io.nodeincidents.forecast.SamplePoint;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.OrderForecast;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The JSON of the memory forecast: a host's forecast with its recent samples ({@code GET /hosts/{host}/memory}), and
 * the fleet's hosts ranked by risk ({@code GET /fleet/memory}).
 */
final class MemoryJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MemoryJson() {
    }

    /**
     * {@code {"host", "forecast": {...} | null, "samples": [{"timeMicros", "freeBlocks": [per order]}],
     * "failedOrders": [...]}}: the samples are the forecast's own (every zone but DMA summed), oldest first.
     */
    static ObjectNode host(String host, MemoryForecast forecast, HostMemoryState state) {
        ObjectNode out = NODES.objectNode();
        out.put("host", host);
        out.set("forecast", forecast == null ? NODES.nullNode() : IncidentJson.tree(forecast));
        ArrayNode samples = out.putArray("samples");
        ArrayNode failed = out.putArray("failedOrders");
        if (state != null) {
            for (SamplePoint point : state.points()) {
                ObjectNode sample = samples.addObject();
                sample.put("timeMicros", point.timeMicros());
                ArrayNode blocks = sample.putArray("freeBlocks");
                point.freeBlocks().forEach(blocks::add);
            }
            state.failedOrders().forEach(failed::add);
        }
        return out;
    }

    /**
     * {@code {"hosts": [...], "count", "truncated"}}: each host's forecast without its zones, the hosts at risk
     * first (soonest exhausted first), then by how close their scarcest order is to its threshold.
     */
    static ObjectNode fleet(List<MemoryForecast> forecasts, int limit) {
        List<MemoryForecast> ranked = new ArrayList<>(forecasts);
        ranked.sort(Comparator.comparing((MemoryForecast f) -> f.getRiskOrder() == null)
                .thenComparingLong(MemoryJson::soonestExhaustion)
                .thenComparingDouble(MemoryJson::headroom)
                .thenComparing(f -> f.getHost().toString()));
        ObjectNode out = NODES.objectNode();
        ArrayNode hosts = out.putArray("hosts");
        for (MemoryForecast forecast : ranked.subList(0, Math.min(limit, ranked.size()))) {
            ObjectNode host = IncidentJson.tree(forecast);
            host.remove("zones");
            hosts.add(host);
        }
        out.put("count", ranked.size());
        out.put("truncated", ranked.size() > limit);
        return out;
    }

    /** When the first order at risk runs out, or far in the future. */
    private static long soonestExhaustion(MemoryForecast forecast) {
        long soonest = Long.MAX_VALUE;
        for (OrderForecast order : forecast.getOrders()) {
            if (order.getAtRisk()) {
                soonest = Math.min(soonest, order.getExhaustedAtMicros() == null ? forecast.getSampledAtMicros()
                        : order.getExhaustedAtMicros());
            }
        }
        return soonest;
    }

    /** The lowest ratio of free blocks to threshold over the host's orders: how close it is to a warning. */
    private static double headroom(MemoryForecast forecast) {
        double lowest = Double.MAX_VALUE;
        for (OrderForecast order : forecast.getOrders()) {
            lowest = Math.min(lowest, (double) order.getFreeBlocks() / Math.max(1, order.getThresholdBlocks()));
        }
        return lowest;
    }

    static JsonNode empty(String host) {
        return host(host, null, null);
    }
}
