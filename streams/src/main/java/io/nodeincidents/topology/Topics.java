package io.nodeincidents.topology;

import io.nodeincidents.registry.AvroSerdeFactory;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import java.util.List;
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
 */
public record Topics(
        Topic<String, JournalEntry> journalEntries,
        Topic<String, Incident> incidents,
        Topic<String, FleetAlert> fleetAlerts,
        Topic<String, DeadLetter> deadLetters) {

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
                        AvroSerdeFactory.specificSerde(DeadLetter.class, props, false)));
    }

    /** Every topic name, input first. */
    public List<String> names() {
        return List.of(journalEntries.name(), incidents.name(), fleetAlerts.name(), deadLetters.name());
    }
}
