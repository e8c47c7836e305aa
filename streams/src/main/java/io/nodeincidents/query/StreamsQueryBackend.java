package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The query backend of a running correlator. With {@code application.server} set (several instances), a question
 * about one key goes to the instance whose active task holds it ({@link KafkaStreams#queryMetadataForKey}), over
 * HTTP when that is another one; the incident list asks every instance holding part of the incidents store
 * ({@link KafkaStreams#streamsMetadataForStore}) for its first page after the cursor and merges them. Forwarded
 * requests are answered locally, so nothing is forwarded twice. Without {@code application.server} this instance
 * answers from its own stores alone.
 */
public final class StreamsQueryBackend implements QueryBackend {

    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final LocalStores local;
    private final HttpClient http;
    private final Optional<String> token;

    /**
     * @param streams the application, started or about to be
     * @param self    its {@code application.server}; empty when it has none (it alone answers)
     * @param token   the bearer token of the instances' APIs, sent with forwarded requests
     */
    public StreamsQueryBackend(KafkaStreams streams, Optional<HostInfo> self, Optional<String> token) {
        this.streams = streams;
        this.self = self.orElse(null);
        this.local = LocalStores.of(streams);
        this.http = QueryClient.defaultHttpClient();
        this.token = token;
    }

    @Override
    public IncidentPage incidents(IncidentQuery query, boolean localOnly) {
        if (localOnly || self == null) {
            return local.incidents(query);
        }
        Set<HostInfo> holders = new LinkedHashSet<>();
        try {
            for (StreamsMetadata instance : streams.streamsMetadataForStore(QueryStores.INCIDENTS)) {
                holders.add(instance.hostInfo());
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw notRunning(e);
        }
        if (holders.isEmpty()) {
            throw QueryException.unavailable("no instance holds the incidents yet (starting or rebalancing); retry"
                    + " shortly");
        }
        List<CompletableFuture<IncidentPage>> answers = new ArrayList<>();
        for (HostInfo holder : holders) {
            answers.add(holder.equals(self) ? CompletableFuture.completedFuture(local.incidents(query))
                    : client(holder).incidentsAsync(query));
        }
        List<IncidentPage> pages = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            try {
                pages.add(answers.get(i).join());
            } catch (CompletionException e) {
                throw forwardFailed(new ArrayList<>(holders).get(i), e.getCause());
            }
        }
        return IncidentPage.merge(pages, query.limit());
    }

    @Override
    public Optional<JsonNode> incident(String incidentId, boolean localOnly) {
        HostInfo holder = localOnly || self == null ? self : holderOf(incidentId, QueryStores.INCIDENTS);
        if (holder == null || holder.equals(self)) {
            return local.incident(incidentId);
        }
        try {
            return client(holder).incident(incidentId);
        } catch (QueryClient.Failure e) {
            throw forwardFailed(holder, e);
        }
    }

    @Override
    public EventList events(String host, EventQuery query, boolean localOnly) {
        HostInfo holder = localOnly || self == null ? self : holderOf(host, QueryStores.HOST_EVENTS);
        if (holder == null || holder.equals(self)) {
            return local.events(host, query);
        }
        try {
            return client(holder).events(host, query);
        } catch (QueryClient.Failure e) {
            throw forwardFailed(holder, e);
        }
    }

    @Override
    public Optional<JsonNode> hostMemory(String host, boolean localOnly) {
        HostInfo holder = localOnly || self == null ? self : holderOf(host, QueryStores.HOST_MEMORY);
        if (holder == null || holder.equals(self)) {
            return local.hostMemory(host);
        }
        try {
            return client(holder).hostMemory(host);
        } catch (QueryClient.Failure e) {
            throw forwardFailed(holder, e);
        }
    }

    @Override
    public JsonNode fleetMemory(int limit) {
        return local.fleetMemory(limit);
    }

    @Override
    public JsonNode fleetAlerts(int limit, String incidentId) {
        return local.fleetAlerts(limit, incidentId);
    }

    @Override
    public Readiness readiness() {
        KafkaStreams.State state = streams.state();
        return new Readiness(state == KafkaStreams.State.RUNNING, state.name());
    }

    /** The instance whose active task holds {@code key} of {@code store}. */
    private HostInfo holderOf(String key, String store) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, KEYS);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw notRunning(e);
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            throw QueryException.unavailable("no instance holds " + store + " for this key yet (starting or"
                    + " rebalancing); retry shortly");
        }
        return metadata.activeHost();
    }

    private QueryClient client(HostInfo instance) {
        return new QueryClient(http, URI.create("http://" + instance.host() + ":" + instance.port()), token, true);
    }

    private static QueryException notRunning(RuntimeException e) {
        return QueryException.unavailable("the correlator is not running yet: " + e.getMessage());
    }

    private static QueryException forwardFailed(HostInfo instance, Throwable cause) {
        String where = instance.host() + ":" + instance.port();
        if (cause instanceof QueryClient.Failure failure && failure.status() == 503) {
            return new QueryException(503, "instance " + where + " cannot answer yet: " + failure.getMessage(),
                    failure);
        }
        return new QueryException(502, "instance " + where + ", which holds the data, did not answer: "
                + (cause == null ? "unknown error" : cause.getMessage()), cause);
    }
}
