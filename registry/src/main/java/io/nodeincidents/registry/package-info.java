/**
 * A client of the Confluent Schema Registry REST API and Kafka serdes of Avro records in Confluent's wire format.
 *
 * <p>Confluent's own client and serdes are not on Maven Central, so this package provides what the pipeline needs,
 * configured with Confluent's property names ({@link io.nodeincidents.registry.SchemaRegistryConfig}):
 * {@link io.nodeincidents.registry.SchemaRegistryClient} (REST or in-process {@code mock://}),
 * {@link io.nodeincidents.registry.SpecificAvroSerde} and its serializer and deserializer,
 * {@link io.nodeincidents.registry.AvroDeserializer} for records of any schema, and
 * {@link io.nodeincidents.registry.AvroSerdeFactory} to swap in Confluent's serde by configuration.
 */
package io.nodeincidents.registry;
