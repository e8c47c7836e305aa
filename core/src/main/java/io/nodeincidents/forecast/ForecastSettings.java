package io.nodeincidents.forecast;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When a host's free high-order blocks are a risk: the orders watched, the threshold, how far ahead and over how much
 * history the trend is read.
 *
 * @param orders          orders watched on every host (besides those of allocation failures seen on it)
 * @param legacyOrders    orders watched on kernels before 4.6, where each network namespace creates its own
 *                        nf_conntrack slab cache with an order-6 allocation
 * @param thresholdBlocks below this many free blocks of an order, the order is at risk
 * @param horizon         an order projected to fall below the threshold within this time is at risk
 * @param trendWindow     the samples the trend is fitted over
 * @param minSamples      samples the trend needs before it projects anything
 * @param maxPoints       cap of the samples kept per host
 */
public record ForecastSettings(List<Integer> orders, List<Integer> legacyOrders, long thresholdBlocks,
                               Duration horizon, Duration trendWindow, int minSamples, int maxPoints) {

    private static final Validator ORDERS = Validator.of("a list of orders from 0 to 20", value -> {
        for (Object o : (List<?>) value) {
            try {
                int order = Integer.parseInt(String.valueOf(o).strip());
                if (order < 0 || order > 20) {
                    return "order " + order + " is not between 0 and 20";
                }
            } catch (NumberFormatException e) {
                return "'" + o + "' is not an order";
            }
        }
        return null;
    });

    public static final Setting<List<String>> ORDERS_WATCHED = Setting.list("forecast.orders", List.of("4"), ORDERS,
            Importance.MEDIUM, "Allocation orders whose free blocks are forecast on every host (order 4: 64 kB"
                    + " allocations such as overlay's /dev/console on 3.10 kernels), besides the orders of"
                    + " allocation failures already seen on the host.");
    public static final Setting<List<String>> LEGACY_ORDERS = Setting.list("forecast.legacy.orders", List.of("6"),
            ORDERS, Importance.MEDIUM, "Orders also forecast on kernels before 4.6, where every new network"
                    + " namespace (each pod sandbox) creates its own nf_conntrack slab cache with an order-6"
                    + " allocation.");
    public static final Setting<Long> THRESHOLD = Setting.longInt("forecast.min.free.blocks", 16,
            Validator.atLeast(1), Importance.MEDIUM, "An order is at risk when fewer free blocks of it (or larger,"
                    + " counted in blocks of this order) are left on the host's zones than this.");
    public static final Setting<Duration> HORIZON = Setting.millis("forecast.horizon.ms", Duration.ofMinutes(30),
            Validator.atLeast(60_000), Importance.MEDIUM, "An order whose free blocks are falling significantly and"
                    + " are projected to fall below forecast.min.free.blocks within this time is at risk:"
                    + " FRAGMENTATION_RISK opens ahead of the failures.");
    public static final Setting<Duration> TREND_WINDOW = Setting.millis("forecast.trend.window.ms",
            Duration.ofHours(1), Validator.atLeast(60_000), Importance.LOW, "The trend of free blocks is fitted"
                    + " over the samples of this last period.");

    /** The settings operators set, in the order {@code --help} shows them. */
    public static final List<Setting<?>> SETTINGS = List.of(ORDERS_WATCHED, LEGACY_ORDERS, THRESHOLD, HORIZON,
            TREND_WINDOW);

    public ForecastSettings {
        orders = List.copyOf(orders);
        legacyOrders = List.copyOf(legacyOrders);
        Objects.requireNonNull(horizon, "horizon");
        Objects.requireNonNull(trendWindow, "trendWindow");
        if (thresholdBlocks < 1 || minSamples < 3 || maxPoints < minSamples) {
            throw new IllegalArgumentException("threshold >= 1, minSamples >= 3, maxPoints >= minSamples");
        }
    }

    /** The declared defaults: orders 4 (and 6 before 4.6), 16 blocks, 30 min ahead, over the last hour. */
    public static ForecastSettings defaults() {
        return of(ORDERS_WATCHED.defaultValue(), LEGACY_ORDERS.defaultValue(), THRESHOLD.defaultValue(),
                HORIZON.defaultValue(), TREND_WINDOW.defaultValue());
    }

    /** Settings from the declared values (orders as the list setting's strings); the caps keep their defaults. */
    public static ForecastSettings of(List<String> orders, List<String> legacyOrders, long threshold,
            Duration horizon, Duration trendWindow) {
        // a sample every 30 s fills the hour with 120 points; room for a faster interval
        return new ForecastSettings(parse(orders), parse(legacyOrders), threshold, horizon, trendWindow, 5, 360);
    }

    private static List<Integer> parse(List<String> orders) {
        return orders.stream().map(String::strip).filter(s -> !s.isEmpty()).map(Integer::parseInt).distinct()
                .sorted().toList();
    }
}
