package io.nodeincidents.topology;

import io.nodeincidents.alerting.AlertSink;
import io.nodeincidents.query.IncidentJson;
import io.nodeincidents.query.QueryStores;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Hands the incidents read back from their topic (so partitioned by incidentId, and under exactly-once only
 * committed revisions) to an {@link AlertSink}: each incident's alerts come from the one task that owns it. When the
 * task is assigned (start, restart, rebalance) it resumes the open incidents of its partition from the query store
 * of latest revisions; when it is revoked their new owner does.
 *
 * <p>Not exactly-once: after a crash the revisions since the last commit are read and handed over again. For alerts
 * that is harmless: Alertmanager takes an alert posted twice (same labels) as one.
 */
final class AlertFeed implements Processor<String, Incident, Void, Void> {

    private final AlertSink sink;
    private final Set<String> open = new HashSet<>();
    private KeyValueStore<String, String> latest;

    AlertFeed(AlertSink sink) {
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        latest = context.getStateStore(QueryStores.INCIDENTS);
        // called once the task's stores are restored: what they hold open is this task's to keep firing
        try (KeyValueIterator<String, String> all = latest.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> next = all.next();
                Incident incident = IncidentJson.headline(next.value);
                if (incident.getStatus() != IncidentStatus.RESOLVED) {
                    open.add(incident.getIncidentId());
                    sink.resume(incident);
                }
            }
        }
    }

    @Override
    public void process(Record<String, Incident> record) {
        Incident incident = record.value();
        if (incident == null) {
            return;
        }
        // the query store (written just before) holds the latest revision: a re-read older one is not news
        String stored = latest.get(incident.getIncidentId());
        if (stored != null && IncidentJson.headline(stored).getRevision() > incident.getRevision()) {
            return;
        }
        if (incident.getStatus() == IncidentStatus.RESOLVED) {
            open.remove(incident.getIncidentId());
        } else {
            open.add(incident.getIncidentId());
        }
        sink.revision(incident);
    }

    @Override
    public void close() {
        sink.forget(Set.copyOf(open));
        open.clear();
    }
}
