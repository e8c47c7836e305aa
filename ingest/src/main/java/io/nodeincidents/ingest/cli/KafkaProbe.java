package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.Redaction;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * One look at Kafka before a producer starts: a producer that cannot reach its brokers says nothing for a minute and
 * then reports a missing topic, which sends people looking in the wrong place.
 */
final class KafkaProbe {

    private KafkaProbe() {
    }

    /**
     * Warns on {@code err}, in one line, when the brokers do not answer within {@code timeout} or the topic does not
     * exist. Never fails: the shipper goes on and ships once Kafka answers (entries wait in the journal).
     */
    static void warnIfUnreachable(Map<String, Object> clientProps, String topic, Duration timeout, PrintWriter err) {
        Map<String, Object> props = new HashMap<>();
        clientProps.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "nodeincidents-ship-probe");
        Object servers = clientProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        Admin admin = null;
        try {
            admin = Admin.create(props);
            admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                err.println("ship: topic " + topic + " does not exist on " + servers + " (correlate creates it, or"
                        + " deploy/kafka/create-topics.sh); shipping starts once it does");
            } else {
                err.println("ship: Kafka at " + servers + " did not answer (" + e.getCause()
                        + "); entries wait in the journal and are shipped once it does");
            }
        } catch (TimeoutException e) {
            err.println("ship: Kafka at " + servers + " did not answer within " + timeout.toSeconds()
                    + " s; entries wait in the journal and are shipped once it does");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            err.println("ship: cannot ask Kafka at " + servers + ": " + Redaction.text(e.getMessage()));
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO); // the probe's call may still be in flight: do not wait for it
            }
        }
        err.flush();
    }
}
