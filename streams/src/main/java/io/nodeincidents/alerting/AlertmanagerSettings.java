package io.nodeincidents.alerting;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The settings of the Alertmanager push, declared once; {@code CorrelatorSettings} lists them for {@code --help}. */
public final class AlertmanagerSettings {

    private static final Validator HTTP_URL_OR_EMPTY = Validator.of("empty or an http(s) URL", value -> {
        String url = value == null ? "" : String.valueOf(value).strip();
        if (url.isEmpty()) {
            return null;
        }
        try {
            URI uri = URI.create(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        return "must be empty or an http:// or https:// URL with a host";
    });

    public static final Setting<String> URL = Setting.string("alertmanager.url", "", HTTP_URL_OR_EMPTY,
            Importance.MEDIUM, "Base URL of a Prometheus Alertmanager (e.g. http://alertmanager:9093): every incident"
                    + " revision is posted to its API v2 (/api/v2/alerts) as one alert, from a queue, off the stream"
                    + " thread. Empty: no alerts are pushed.");
    public static final Setting<String> GENERATOR_BASE = Setting.string("alertmanager.generator.url", "",
            HTTP_URL_OR_EMPTY, Importance.LOW, "Base URL an alert's generatorURL points under"
                    + " ({base}/console/incidents/{incidentId}, the incident's console page): where people reach the"
                    + " query port. Empty: this instance's"
                    + " application.server, or the address the query API listens on.");
    public static final Setting<Duration> TIMEOUT = Setting.millis("alertmanager.timeout.ms", Duration.ofSeconds(10),
            Validator.between(100, 600_000), Importance.LOW, "Connect and answer timeout of one post to"
                    + " Alertmanager; a post that times out is retried.");
    public static final Setting<Duration> RESEND_INTERVAL = Setting.millis("alertmanager.resend.interval.ms",
            Duration.ofMinutes(1), Validator.between(1_000, 3_600_000), Importance.LOW, "How often the alerts of"
                    + " open incidents are posted again. Each carries endsAt = now + 4 x this interval, so an open"
                    + " incident keeps firing while the correlator runs and Alertmanager resolves it by itself that"
                    + " long after the correlator stopped sending.");
    public static final Setting<Integer> QUEUE_CAPACITY = Setting.integer("alertmanager.queue.capacity", 10_000,
            Validator.between(1, 1_000_000), Importance.LOW, "Alerts waiting to be posted at most (one per alert:"
                    + " a newer revision replaces a queued one). When full, the oldest is dropped and counted.");
    public static final Setting<Integer> MAX_OPEN = Setting.integer("alertmanager.max.open.alerts", 10_000,
            Validator.between(1, 1_000_000), Importance.LOW, "Open incidents whose alerts are re-sent at most; beyond"
                    + " that the one opened first is no longer re-sent (counted) and Alertmanager resolves it when"
                    + " its endsAt passes.");

    /** In {@code --help}'s order. */
    public static final List<Setting<?>> SETTINGS = List.of(URL, GENERATOR_BASE, TIMEOUT, RESEND_INTERVAL,
            QUEUE_CAPACITY, MAX_OPEN);

    private AlertmanagerSettings() {
    }
}
