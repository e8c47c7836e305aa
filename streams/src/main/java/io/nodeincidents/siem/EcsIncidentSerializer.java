package io.nodeincidents.siem;

import io.nodeincidents.schemas.Incident;
import org.apache.kafka.common.serialization.Serializer;

/** An {@link Incident} revision as its ECS JSON document in UTF-8 ({@link EcsIncident#utf8Json}); null stays null. */
public final class EcsIncidentSerializer implements Serializer<Incident> {

    @Override
    public byte[] serialize(String topic, Incident incident) {
        return incident == null ? null : EcsIncident.utf8Json(incident);
    }
}
