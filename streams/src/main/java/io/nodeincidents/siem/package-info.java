/**
 * The SIEM feed: incidents as Elastic Common Schema documents ({@link io.nodeincidents.siem.EcsIncident}) and the
 * Kafka serializer that writes them ({@link io.nodeincidents.siem.EcsIncidentSerde}).
 */
package io.nodeincidents.siem;
