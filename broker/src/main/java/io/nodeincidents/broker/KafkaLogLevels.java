package io.nodeincidents.broker;

import java.lang.reflect.Method;
import java.util.List;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Sets Kafka's own loggers to WARN, since a broker at INFO prints its whole configuration and every partition change.
 *
 * <p>This library does not bring a logging backend: the level is set through whichever backend the application uses,
 * when it is one we know (logback, slf4j-simple), and only for loggers the application has not configured itself.
 * With any other backend the application's own configuration decides.
 */
final class KafkaLogLevels {

    /** Kafka's broker (Scala, {@code kafka.*}), its Java modules and clients ({@code org.apache.kafka.*}). */
    static final List<String> KAFKA_LOGGERS = List.of("kafka", "state.change.logger", "org.apache.kafka");

    private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

    private KafkaLogLevels() {
    }

    static void quietKafkaLoggers() {
        // slf4j-simple reads these properties when a logger is first created, which is after this call.
        for (String name : KAFKA_LOGGERS) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (LOGBACK_CONTEXT.equals(factory.getClass().getName())) {
            quietLogback(factory);
        }
    }

    /** Through reflection, so that logback stays an optional, runtime-only choice of the application. */
    private static void quietLogback(ILoggerFactory context) {
        try {
            for (String name : KAFKA_LOGGERS) {
                Object logger = context.getLogger(name);
                Class<?> loggerClass = logger.getClass();
                if (loggerClass.getMethod("getLevel").invoke(logger) != null) {
                    continue; // configured by the application: its choice wins
                }
                Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true, loggerClass.getClassLoader());
                Method setLevel = loggerClass.getMethod("setLevel", levelClass);
                setLevel.invoke(logger, levelClass.getField("WARN").get(null));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // An unexpected logback version: Kafka then logs at the application's levels, nothing worse.
            LoggerFactory.getLogger(KafkaLogLevels.class).debug("Could not set Kafka log levels", e);
        }
    }
}
