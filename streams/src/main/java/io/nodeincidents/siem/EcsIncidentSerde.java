package io.nodeincidents.siem;

import io.nodeincidents.schemas.Incident;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes {@link Incident} revisions as their ECS JSON document ({@link EcsIncident#utf8Json}), UTF-8, for a topic a
 * SIEM shipper (Elastic Agent's Kafka input, Logstash, Kafka Connect's Elasticsearch sink) indexes with the record
 * key, the incident id, as document id. Keys stay plain strings ({@code Serdes.String()}).
 *
 * <p>Write-only: the document is a projection of the incident, not a format to read incidents back from, so the
 * deserializer refuses; read the topic with a JSON or string deserializer.
 */
public final class EcsIncidentSerde implements Serde<Incident> {

    @Override
    public Serializer<Incident> serializer() {
        return new EcsIncidentSerializer();
    }

    @Override
    public Deserializer<Incident> deserializer() {
        return (topic, data) -> {
            throw new UnsupportedOperationException("topic " + topic + " holds ECS JSON documents, written by "
                    + EcsIncidentSerializer.class.getSimpleName() + "; read them as JSON, not as Incident records");
        };
    }
}
