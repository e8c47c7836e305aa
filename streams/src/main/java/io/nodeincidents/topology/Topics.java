package io.nodeincidents.topology;

import io.nodeincidents.registry.AvroSerdeFactory;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.siem.EcsIncidentSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The correlator's topics and their serdes, declared once, together (the confluentinc/kafka-streams-examples style):
 * the topology, the {@code correlate} command's topic creation and the tests all take them from here. Avro values go
 * through {@link AvroSerdeFactory}, so {@code avro.serde.class} can swap the serde implementation by configuration.
 *
 * @param journalEntries host -> JournalEntry: what the shipper and replay produce
 * @param incidents      incidentId -> Incident revision
 * @param fleetAlerts    alertId -> FleetAlert
 * @param deadLetters    host (or the record's key) -> DeadLetter
 * @param incidentsEcs   incidentId -> the Incident revision as an ECS JSON document ({@link EcsIncidentSerde}): the
 *                       SIEM feed; empty when it is off
 */
public record Topics(
        Topic<String, JournalEntry> journalEntries,
        Topic<String, Incident> incidents,
        Topic<String, FleetAlert> fleetAlerts,
        Topic<String, DeadLetter> deadLetters,
        Optional<Topic<String, Incident>> incidentsEcs) {

    public Topics {
        Objects.requireNonNull(incidentsEcs, "incidentsEcs");
    }

    /** The topics named by {@code settings}, with serdes configured from its Streams and registry properties. */
    public static Topics from(CorrelatorSettings settings) {
        Map<String, Object> props = settings.streamsProperties();
        return new Topics(
                new Topic<>(settings.journalEntriesTopic(), Serdes.String(),
                        AvroSerdeFactory.specificSerde(JournalEntry.class, props, false)),
                new Topic<>(settings.incidentsTopic(), Serdes.String(),
                        AvroSerdeFactory.specificSerde(Incident.class, props, false)),
                new Topic<>(settings.fleetAlertsTopic(), Serdes.String(),
                        AvroSerdeFactory.specificSerde(FleetAlert.class, props, false)),
                new Topic<>(settings.deadLetterTopic(), Serdes.String(),
                        AvroSerdeFactory.specificSerde(DeadLetter.class, props, false)),
                settings.incidentsEcsTopic().map(name -> new Topic<>(name, Serdes.String(), new EcsIncidentSerde())));
    }

    /** Every topic name, input first. */
    public List<String> names() {
        List<String> names = new ArrayList<>(List.of(journalEntries.name(), incidents.name(), fleetAlerts.name(),
                deadLetters.name()));
        incidentsEcs.ifPresent(ecs -> names.add(ecs.name()));
        return List.copyOf(names);
    }
}
