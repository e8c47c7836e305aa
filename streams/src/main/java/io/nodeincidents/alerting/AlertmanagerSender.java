package io.nodeincidents.alerting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts incident revisions to Alertmanager ({@code POST {url}/api/v2/alerts}) from one thread of its own, so the
 * stream thread that calls {@link #accept} never waits on the network.
 *
 * <ul>
 * <li>Queue: bounded, one entry per alert (label set): a newer revision of a queued alert replaces it in place;
 * when full, the oldest is dropped and counted ({@code reason=queue_full}).</li>
 * <li>Delivery: up to {@value #BATCH} alerts per post. A connection error, a timeout, 429 or 5xx is retried with
 * exponential backoff, as long as no newer revision of the alert is queued; any other 4xx will not get better: its
 * alerts are dropped and counted ({@code reason=rejected}), each status logged once.</li>
 * <li>Open incidents: their latest revision is kept (at most {@code maxOpen}) and posted again every
 * {@code resendInterval} with endsAt 4 intervals ahead, so it keeps firing; RESOLVED ends it. When a revision
 * changes the labels (its severity), the alert of the old labels is ended, or it would fire on beside the new one.
 * </li>
 * </ul>
 * Counted in the registry given: {@code nodeincidents_alertmanager_alerts_sent_total},
 * {@code nodeincidents_alertmanager_send_failures_total} (failed posts), {@code
 * nodeincidents_alertmanager_alerts_dropped_total{reason}} (queue_full, rejected, shutdown, open_limit: an open
 * incident no longer re-sent), {@code nodeincidents_alertmanager_queue_depth} and
 * {@code nodeincidents_alertmanager_open_alerts}.
 */
public final class AlertmanagerSender implements AlertSink, AutoCloseable {

    static final int BATCH = 64;
    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerSender.class);

    /** Where and how to post. */
    public record Options(URI url, Duration timeout, Duration resendInterval, int queueCapacity, int maxOpen,
            Duration initialBackoff, Duration maxBackoff) {

        public static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
        public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

        public Options {
            Objects.requireNonNull(url, "url");
        }

        /** With the default backoff, 0.5 s doubling up to 30 s. */
        public static Options of(URI url, Duration timeout, Duration resendInterval, int queueCapacity, int maxOpen) {
            return new Options(url, timeout, resendInterval, queueCapacity, maxOpen, INITIAL_BACKOFF, MAX_BACKOFF);
        }

        /** How far ahead an open incident's alert ends: Prometheus' rule for its own alerts, 4 resend intervals. */
        Duration ahead() {
            return resendInterval.multipliedBy(4);
        }
    }

    private record Open(Incident incident, String identity) {
    }

    private record Queued(String identity, Alert alert) {
    }

    private final Options options;
    private final IncidentAlerts mapping;
    private final URI endpoint;
    private final HttpClient client;
    private final Thread thread;
    private final Object lock = new Object();
    /** identity -> alert, oldest first. Guarded by lock. */
    private final LinkedHashMap<String, Alert> queued = new LinkedHashMap<>();
    /** incidentId -> latest open revision, opened first first. Guarded by lock. */
    private final LinkedHashMap<String, Open> open = new LinkedHashMap<>();
    private final Counter sent;
    private final Counter failures;
    private final Counter droppedFull;
    private final Counter droppedRejected;
    private final Counter droppedShutdown;
    private final Counter droppedOpenLimit;
    private final Set<Integer> loggedStatuses = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private long nextResendNanos;

    private AlertmanagerSender(Options options, IncidentAlerts mapping, MeterRegistry registry) {
        this.options = options;
        this.mapping = mapping;
        String base = options.url().toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/api/v2/alerts");
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout()).build();
        sent = Counter.builder("nodeincidents.alertmanager.alerts.sent")
                .description("Alerts Alertmanager accepted.").register(registry);
        failures = Counter.builder("nodeincidents.alertmanager.send.failures")
                .description("Posts to Alertmanager that failed and are retried: connection errors, timeouts, 429"
                        + " and 5xx.").register(registry);
        droppedFull = dropped(registry, "queue_full");
        droppedRejected = dropped(registry, "rejected");
        droppedShutdown = dropped(registry, "shutdown");
        droppedOpenLimit = dropped(registry, "open_limit");
        Gauge.builder("nodeincidents.alertmanager.queue.depth", this, AlertmanagerSender::queueDepth)
                .description("Alerts waiting to be posted to Alertmanager.").register(registry);
        Gauge.builder("nodeincidents.alertmanager.open.alerts", this, AlertmanagerSender::openAlerts)
                .description("Open incidents whose alerts are re-sent.").register(registry);
        nextResendNanos = System.nanoTime() + options.resendInterval().toNanos();
        thread = new Thread(this::run, "alertmanager-sender");
        thread.setDaemon(true);
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("nodeincidents.alertmanager.alerts.dropped")
                .description("Alerts not delivered to Alertmanager, by reason.").tag("reason", reason)
                .register(registry);
    }

    /** A sender posting to {@code options.url()}, its thread started, its meters in {@code registry}. */
    public static AlertmanagerSender start(Options options, IncidentAlerts mapping, MeterRegistry registry) {
        AlertmanagerSender sender = new AlertmanagerSender(options, mapping, registry);
        sender.thread.start();
        return sender;
    }

    /** Queues the alert of {@code incident}'s revision; returns at once. */
    @Override
    public void revision(Incident incident) {
        Instant now = Instant.now();
        Alert alert = mapping.alert(incident, now, options.ahead());
        String identity = alert.identity();
        synchronized (lock) {
            Open previous = incident.getStatus() == IncidentStatus.RESOLVED ? open.remove(incident.getIncidentId())
                    : open.put(incident.getIncidentId(), new Open(incident, identity));
            if (previous != null && !previous.identity().equals(identity)) {
                enqueue(previous.identity(), mapping.ended(previous.incident(), now));
            }
            trimOpen();
            enqueue(identity, alert);
            lock.notifyAll();
        }
    }

    /** Posts the alert of an open incident not yet known here (this instance took it over) and re-sends it. */
    @Override
    public void resume(Incident incident) {
        if (incident.getStatus() == IncidentStatus.RESOLVED) {
            return;
        }
        Alert alert = mapping.alert(incident, Instant.now(), options.ahead());
        synchronized (lock) {
            if (open.containsKey(incident.getIncidentId())) {
                return;
            }
            open.put(incident.getIncidentId(), new Open(incident, alert.identity()));
            trimOpen();
            if (!queued.containsKey(alert.identity())) {
                enqueue(alert.identity(), alert);
            }
            lock.notifyAll();
        }
    }

    /** Stops re-sending these incidents' alerts (another instance took them over); does not end them. */
    @Override
    public void forget(Collection<String> incidentIds) {
        synchronized (lock) {
            incidentIds.forEach(open::remove);
        }
    }

    /** Guarded by lock. */
    private void trimOpen() {
        if (open.size() > options.maxOpen()) {
            Iterator<Open> eldest = open.values().iterator();
            eldest.next();
            eldest.remove();
            droppedOpenLimit.increment();
        }
    }

    /** Queues {@code alert} as it is (tests: an alert Alertmanager refuses). */
    void submit(Alert alert) {
        synchronized (lock) {
            enqueue(alert.identity(), alert);
            lock.notifyAll();
        }
    }

    /** Guarded by lock. */
    private void enqueue(String identity, Alert alert) {
        if (!queued.containsKey(identity) && queued.size() >= options.queueCapacity()) {
            Iterator<String> eldest = queued.keySet().iterator();
            eldest.next();
            eldest.remove();
            droppedFull.increment();
        }
        queued.put(identity, alert);
    }

    private void run() {
        while (true) {
            List<Queued> batch = new ArrayList<>();
            synchronized (lock) {
                try {
                    long wait;
                    while (running && queued.isEmpty() && (wait = nextResendNanos - System.nanoTime()) > 0) {
                        lock.wait(Math.max(1, wait / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (!running && queued.isEmpty()) {
                    return;
                }
                if (running && System.nanoTime() - nextResendNanos >= 0) {
                    resendOpen();
                    nextResendNanos = System.nanoTime() + options.resendInterval().toNanos();
                }
                Iterator<Map.Entry<String, Alert>> it = queued.entrySet().iterator();
                while (it.hasNext() && batch.size() < BATCH) {
                    Map.Entry<String, Alert> next = it.next();
                    batch.add(new Queued(next.getKey(), next.getValue()));
                    it.remove();
                }
            }
            if (!batch.isEmpty() && !deliver(batch)) {
                return;
            }
        }
    }

    /** Guarded by lock. Resends never push a revision out of a full queue, and never replace a queued one. */
    private void resendOpen() {
        Instant now = Instant.now();
        for (Open o : open.values()) {
            if (queued.size() >= options.queueCapacity()) {
                return;
            }
            if (!queued.containsKey(o.identity())) {
                queued.put(o.identity(), mapping.alert(o.incident(), now, options.ahead()));
            }
        }
    }

    /** Posts {@code batch} until it is delivered, refused or superseded; false when interrupted. */
    private boolean deliver(List<Queued> batch) {
        Duration backoff = options.initialBackoff();
        boolean failedBefore = false;
        while (true) {
            String body = Alert.json(batch.stream().map(Queued::alert).toList());
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(options.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            String problem;
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    sent.increment(batch.size());
                    if (failedBefore) {
                        LOG.info("Alertmanager at {} accepts alerts again", endpoint);
                    }
                    return true;
                }
                // a redirect (not followed) or a 4xx other than 429 will not get better
                if (status >= 300 && status < 500 && status != 429) {
                    droppedRejected.increment(batch.size());
                    if (loggedStatuses.add(status)) {
                        LOG.warn("Alertmanager at {} refused {} alert(s) with {} (dropped; a refusal is not"
                                + " retried and this status is logged once): {}", endpoint, batch.size(), status,
                                excerpt(response.body()));
                    }
                    return true;
                }
                problem = "status " + status + ": " + excerpt(response.body());
            } catch (IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                droppedShutdown.increment(batch.size());
                return false;
            }
            failures.increment();
            if (!failedBefore) {
                LOG.warn("cannot post alerts to Alertmanager at {} ({}); retrying with backoff", endpoint, problem);
                failedBefore = true;
            }
            synchronized (lock) {
                if (!running) {
                    // closing: what is not delivered now is not delivered
                    droppedShutdown.increment(batch.size());
                    return true;
                }
                try {
                    // new alerts wake the lock: wait out the whole backoff all the same
                    long until = System.nanoTime() + backoff.toNanos();
                    long left;
                    while (running && (left = until - System.nanoTime()) > 0) {
                        lock.wait(Math.max(1, left / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    droppedShutdown.increment(batch.size());
                    return false;
                }
                // a newer revision of an alert was queued meanwhile: it is posted instead
                batch.removeIf(q -> queued.containsKey(q.identity()));
            }
            if (batch.isEmpty()) {
                return true;
            }
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : doubled;
        }
    }

    private static String excerpt(String body) {
        String line = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** Alerts queued. */
    public int queueDepth() {
        synchronized (lock) {
            return queued.size();
        }
    }

    /** Open incidents whose alerts are re-sent. */
    public int openAlerts() {
        synchronized (lock) {
            return open.size();
        }
    }

    long sent() {
        return (long) sent.count();
    }

    long failures() {
        return (long) failures.count();
    }

    long rejected() {
        return (long) droppedRejected.count();
    }

    long droppedQueueFull() {
        return (long) droppedFull.count();
    }

    /**
     * Posts what is queued, one attempt each, for up to twice the timeout, then stops the thread; what is left is
     * counted as dropped ({@code reason=shutdown}). Open incidents are not resolved: their alerts end by themselves at
     * their endsAt, unless the instance that takes them over posts them again.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            lock.notifyAll();
        }
        try {
            thread.join(options.timeout().toMillis() * 2);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            droppedShutdown.increment(queued.size());
            queued.clear();
        }
    }
}
