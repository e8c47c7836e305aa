package io.nodeincidents.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.nodeincidents.topology.TopicDeclaration;
import io.nodeincidents.topology.Topics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.nodeincidents.deploy.DeployDirectory.DEPLOY;
import static io.nodeincidents.deploy.DeployDirectory.configMap;
import static io.nodeincidents.deploy.DeployDirectory.read;
import static io.nodeincidents.deploy.DeployDirectory.topicsJob;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kafka/create-topics.sh and its copy in the ConfigMap create the topics {@code correlate} creates: the
 * same names, and for each the declared cleanup.policy and retention.ms ({@link Topics#DECLARED}); partitions and
 * replication come, for every topic alike, from the ConfigMap keys named like the declared settings.
 */
class TopicScriptTest {

    private static final Pattern VARIABLE = Pattern.compile("(?m)^(\\w+)=\"\\$\\{(\\w+):-([^}]*)}\"$");
    private static final Pattern CREATE = Pattern.compile("(?m)^create (.+)$");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+)}");

    @Test
    void theScriptCreatesEveryDeclaredTopicAsDeclared() {
        checkScript(read(DEPLOY.resolve("kafka/create-topics.sh")));
    }

    @Test
    void theConfigMapCopyCreatesEveryDeclaredTopicAsDeclared() {
        checkScript(configMap().getData().get("create-topics.sh"));
    }

    @Test
    void theJobTakesPartitionsReplicationAndJournalRetentionFromTheDeclaredKeys() {
        Container job = topicsJob().getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> keyByVariable = new HashMap<>();
        job.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null)
                .forEach(e -> keyByVariable.put(e.getName(), e.getValueFrom().getConfigMapKeyRef().getKey()));
        assertThat(keyByVariable).containsEntry("TOPIC_PARTITIONS", Topics.PARTITIONS.name())
                .containsEntry("TOPIC_REPLICATION_FACTOR", Topics.REPLICATION_FACTOR.name());
        Map<String, String> data = configMap().getData();
        assertThat(data).containsKeys(Topics.PARTITIONS.name(), Topics.REPLICATION_FACTOR.name());
        // the one retention a deployment sets itself must still be the declared one as shipped
        String journalRetention = data.get(keyByVariable.get("JOURNAL_RETENTION_MS"));
        assertThat(journalRetention).isEqualTo(Topics.JOURNAL_ENTRIES.configs().get("retention.ms"));
    }

    private static void checkScript(String script) {
        assertThat(script).isNotBlank();
        Map<String, String> defaults = new HashMap<>();
        Matcher variable = VARIABLE.matcher(script);
        while (variable.find()) {
            defaults.put(variable.group(1), variable.group(3));
        }
        Map<String, Map<String, String>> created = new LinkedHashMap<>();
        Matcher create = CREATE.matcher(script);
        while (create.find()) {
            List<String> words = words(create.group(1), defaults);
            Map<String, String> configs = new HashMap<>();
            for (String config : words.subList(1, words.size())) {
                String[] keyValue = config.split("=", 2);
                configs.put(keyValue[0], keyValue[1]);
            }
            assertThat(created.put(words.get(0), configs)).as("%s created twice", words.get(0)).isNull();
        }
        Map<String, Map<String, String>> declared = new LinkedHashMap<>();
        for (TopicDeclaration<?, ?> topic : Topics.DECLARED) {
            declared.put(topic.nameSetting().defaultValue(), topic.configs());
        }
        assertThat(created).isEqualTo(declared);
        // partitions and replication: the same shared values for every topic, as correlate does
        assertThat(script).contains("--partitions \"$partitions\" --replication-factor \"$replication\"")
                .containsPattern("(?m)^partitions=\"\\$\\{TOPIC_PARTITIONS:-\\d+}\"$")
                .containsPattern("(?m)^replication=\"\\$\\{TOPIC_REPLICATION_FACTOR:-\\d+}\"$");
        Matcher described = Pattern.compile("--describe \\\\\\s+--topic '([^']*)'").matcher(script);
        assertThat(described.find()).as("the script describes the topics it made").isTrue();
        assertThat(List.of(described.group(1).split("\\|"))).containsExactlyInAnyOrderElementsOf(declared.keySet());
    }

    /** The words of a {@code create} line, quotes removed and {@code ${var}} replaced by the variable's default. */
    private static List<String> words(String line, Map<String, String> defaults) {
        List<String> words = new ArrayList<>();
        for (String word : line.trim().split("\\s+")) {
            String unquoted = word.replace("\"", "");
            Matcher reference = REFERENCE.matcher(unquoted);
            StringBuilder resolved = new StringBuilder();
            while (reference.find()) {
                String value = defaults.get(reference.group(1));
                assertThat(value).as("default of %s", reference.group(1)).isNotNull();
                reference.appendReplacement(resolved, Matcher.quoteReplacement(value));
            }
            reference.appendTail(resolved);
            words.add(resolved.toString());
        }
        return words;
    }
}
