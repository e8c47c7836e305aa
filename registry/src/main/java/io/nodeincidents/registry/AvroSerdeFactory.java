package io.nodeincidents.registry;

import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * Creates the Avro serde of a generated class from the application's properties, so the implementation can be
 * swapped by configuration alone: {@code avro.serde.class} names it (default {@link SpecificAvroSerde}); Confluent's
 * {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}, when on the classpath, works too. The class is
 * instantiated through its no-argument constructor and configured with the same properties plus
 * {@code specific.avro.key.type} / {@code specific.avro.value.type} set to the requested class (unless already set),
 * which both serdes honour.
 *
 * <p>Plain producers (the node shipper) do not need this: they swap implementations with Kafka's own
 * {@code value.serializer} property, e.g. {@code io.confluent.kafka.serializers.KafkaAvroSerializer} instead of
 * {@code io.nodeincidents.registry.SpecificAvroSerializer}.
 */
public final class AvroSerdeFactory {

    private AvroSerdeFactory() {
    }

    /**
     * A configured serde of {@code type}.
     *
     * @param props the application's properties (registry settings and {@code avro.serde.class})
     * @param isKey whether the serde handles record keys
     * @throws ConfigException when the serde class is missing, not a Serde, or cannot be created
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> Serde<T> specificSerde(Class<T> type, Map<String, ?> props,
            boolean isKey) {
        Object configured = props.get(SchemaRegistryConfig.AVRO_SERDE_CLASS);
        String className = configured == null ? SpecificAvroSerde.class.getName()
                : configured instanceof Class<?> c ? c.getName() : configured.toString().trim();
        Serde<T> serde;
        if (className.equals(SpecificAvroSerde.class.getName())) {
            serde = new SpecificAvroSerde<>(type);
        } else {
            serde = (Serde<T>) instantiate(className);
        }
        Map<String, Object> withType = new HashMap<>(props);
        withType.putIfAbsent(isKey ? SchemaRegistryConfig.SPECIFIC_AVRO_KEY_TYPE
                : SchemaRegistryConfig.SPECIFIC_AVRO_VALUE_TYPE, type);
        serde.configure(withType, isKey);
        return serde;
    }

    /**
     * A configured deserializer of {@code type} that leaves the fields named in {@code undecoded} at their defaults
     * ({@link SpecificAvroDeserializer#SpecificAvroDeserializer(Class, Set)}) when {@code avro.serde.class} is this
     * project's serde; another implementation's deserializer decodes every field.
     */
    public static <T extends SpecificRecord> Deserializer<T> specificDeserializer(Class<T> type, Set<String> undecoded,
            Map<String, ?> props, boolean isKey) {
        Object configured = props.get(SchemaRegistryConfig.AVRO_SERDE_CLASS);
        if (configured != null && !(configured instanceof Class<?> c ? c.getName() : configured.toString().trim())
                .equals(SpecificAvroSerde.class.getName())) {
            return specificSerde(type, props, isKey).deserializer();
        }
        SpecificAvroDeserializer<T> deserializer = new SpecificAvroDeserializer<>(type, undecoded);
        deserializer.configure(props, isKey);
        return deserializer;
    }

    private static Serde<?> instantiate(String className) {
        Class<?> cls;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            cls = Class.forName(className, true, loader != null ? loader : AvroSerdeFactory.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException(SchemaRegistryConfig.AVRO_SERDE_CLASS, className, "class not on the classpath"
                    + (className.startsWith("io.confluent.") ? " (Confluent's serdes come from Confluent's Maven "
                    + "repository, io.confluent:kafka-streams-avro-serde; add that jar to use them)" : ""));
        }
        if (!Serde.class.isAssignableFrom(cls)) {
            throw new ConfigException(SchemaRegistryConfig.AVRO_SERDE_CLASS, className,
                    "not an org.apache.kafka.common.serialization.Serde");
        }
        try {
            return (Serde<?>) cls.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new ConfigException(SchemaRegistryConfig.AVRO_SERDE_CLASS, className,
                    "has no public no-argument constructor");
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new ConfigException(SchemaRegistryConfig.AVRO_SERDE_CLASS, className,
                    "could not be created: " + cause);
        }
    }
}
