package io.nodeincidents.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.nodeincidents.deploy.DeployDirectory.DEPLOY;
import static io.nodeincidents.deploy.DeployDirectory.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/compose.yaml read as YAML: the essentials docker-compose cannot check for us (CI runs
 * {@code docker-compose config -q} for the syntax).
 */
class ComposeFileTest {

    private static final JsonNode COMPOSE = yaml(DEPLOY.resolve("compose.yaml"));
    private static final JsonNode SERVICES = COMPOSE.get("services");

    @Test
    void shipperReadsTheHostJournalReadOnlyAndKeepsItsCursorOnAVolume() {
        Map<String, String> mounts = new java.util.HashMap<>();
        List<String> readOnly = new ArrayList<>();
        for (JsonNode volume : service("shipper").get("volumes")) {
            String[] parts = volume.asText().split(":");
            mounts.put(parts[1], parts[0]);
            if (parts.length > 2 && parts[2].equals("ro")) {
                readOnly.add(parts[1]);
            }
        }
        for (String path : KubernetesManifestsTest.JOURNAL_PATHS) {
            assertThat(mounts).as("shipper mounts " + path).containsEntry(path, path);
            assertThat(readOnly).as(path + " read-only").contains(path);
        }
        String cursorDir = Path.of(option(service("shipper"), "--cursor-file")).getParent().toString();
        assertThat(mounts).containsKey(cursorDir);
        assertThat(readOnly).doesNotContain(cursorDir);
        // a named volume, declared: the cursor survives `docker compose down` and image rebuilds
        assertThat(COMPOSE.get("volumes").has(mounts.get(cursorDir))).as("named volume " + mounts.get(cursorDir))
                .isTrue();
        assertThat(service("shipper").get("group_add")).as("the journal's group").isNotEmpty();
    }

    @Test
    void longRunningServicesHaveHealthchecksAndStartAfterWhatTheyNeed() {
        SERVICES.fieldNames().forEachRemaining(name -> {
            JsonNode service = service(name);
            if (!name.equals("topics")) {
                assertThat(service.path("healthcheck").path("test")).as(name + " healthcheck").isNotEmpty();
            }
            JsonNode dependsOn = service.path("depends_on");
            dependsOn.fieldNames().forEachRemaining(dependency -> {
                assertThat(SERVICES.has(dependency)).as(name + " depends on unknown " + dependency).isTrue();
                String condition = dependsOn.get(dependency).path("condition").asText();
                assertThat(condition).as(name + " -> " + dependency)
                        .isIn("service_healthy", "service_completed_successfully");
                if (condition.equals("service_healthy")) {
                    assertThat(service(dependency).has("healthcheck")).as(dependency + " can be healthy").isTrue();
                }
            });
        });
        for (String program : List.of("correlate", "shipper")) {
            JsonNode dependsOn = service(program).get("depends_on");
            assertThat(dependsOn.path("kafka").path("condition").asText()).isEqualTo("service_healthy");
            assertThat(dependsOn.path("registry").path("condition").asText()).isEqualTo("service_healthy");
            assertThat(dependsOn.path("topics").path("condition").asText())
                    .isEqualTo("service_completed_successfully");
        }
        assertThat(service("topics").path("depends_on").path("kafka").path("condition").asText())
                .isEqualTo("service_healthy");
    }

    @Test
    void programsReachKafkaAndTheRegistryAtTheAddressesThoseAdvertise() {
        String advertised = service("kafka").get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText();
        String registryListener = service("registry").get("environment").get("SCHEMA_REGISTRY_LISTENERS").asText();
        String registryPort = registryListener.substring(registryListener.lastIndexOf(':') + 1);
        for (String program : List.of("correlate", "shipper")) {
            JsonNode env = service(program).get("environment");
            String bootstrap = env.get("NODEINCIDENTS_BOOTSTRAP_SERVERS").asText();
            assertThat(advertised).as(program + " bootstrap").contains("://" + bootstrap);
            assertThat(env.get("NODEINCIDENTS_SCHEMA_REGISTRY_URL").asText())
                    .isEqualTo("http://registry:" + registryPort);
        }
        assertThat(service("topics").get("environment").get("BOOTSTRAP_SERVERS").asText())
                .isEqualTo(service("correlate").get("environment").get("NODEINCIDENTS_BOOTSTRAP_SERVERS").asText());
        // KRaft, one node acting as broker and controller
        JsonNode kafka = service("kafka").get("environment");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES").asText()).contains("broker").contains("controller");
        assertThat(kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS").asText())
                .startsWith(kafka.get("KAFKA_NODE_ID").asText() + "@");
        assertThat(kafka.get("KAFKA_LOG_DIRS").asText()).isIn(volumeTargets(service("kafka")));
    }

    @Test
    void correlatePublishesTheQueryPortOnLoopbackAndKeepsStateOnAVolume() {
        JsonNode correlate = service("correlate");
        assertThat(correlate.get("environment").get("NODEINCIDENTS_APPLICATION_SERVER").asText())
                .isEqualTo("correlate:8080");
        assertThat(correlate.get("ports")).extracting(JsonNode::asText).contains("127.0.0.1:8080:8080");
        assertThat(volumeTargets(correlate)).contains("/var/lib/nodeincidents");
        for (String program : List.of("correlate", "shipper")) {
            JsonNode service = service(program);
            assertThat(service.get("read_only").asBoolean()).as(program + " read-only root").isTrue();
            assertThat(service.get("cap_drop")).extracting(JsonNode::asText).as(program).contains("ALL");
            assertThat(service.get("security_opt")).extracting(JsonNode::asText).contains("no-new-privileges:true");
        }
    }

    @Test
    void whatTheComposeFileBuildsAndMountsExistsAndMatchesTheManifests() {
        for (String program : List.of("correlate", "shipper")) {
            JsonNode build = service(program).get("build");
            Path context = DEPLOY.resolve(build.get("context").asText()).normalize();
            assertThat(Files.isRegularFile(context.resolve(build.get("dockerfile").asText())))
                    .as(program + " Dockerfile").isTrue();
            String image = service(program).get("image").asText();
            String name = image.substring(0, image.lastIndexOf(':'));
            assertThat(KubernetesManifestsTest.imageTags()).as(program + " image as in the manifests")
                    .containsEntry(name, image.substring(image.lastIndexOf(':') + 1));
        }
        assertThat(service("kafka").get("image").asText())
                .isEqualTo("apache/kafka:" + KubernetesManifestsTest.imageTags().get("apache/kafka"));
        String script = service("topics").get("volumes").get(0).asText().split(":")[0];
        assertThat(DEPLOY.resolve(script)).isRegularFile();
    }

    private static JsonNode service(String name) {
        return Optional.ofNullable(SERVICES.get(name)).orElseThrow(() -> new AssertionError("no service " + name));
    }

    private static List<String> volumeTargets(JsonNode service) {
        List<String> targets = new ArrayList<>();
        service.path("volumes").forEach(v -> targets.add(v.asText().split(":")[1]));
        return targets;
    }

    private static String option(JsonNode service, String option) {
        List<String> command = new ArrayList<>();
        service.get("command").forEach(c -> command.add(c.asText()));
        return KubernetesManifestsTest.optionValue(command, option);
    }
}
