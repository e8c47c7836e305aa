package io.nodeincidents.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.nodeincidents.deploy.DeployDirectory.DEPLOY;
import static io.nodeincidents.deploy.DeployDirectory.REPOSITORY;
import static io.nodeincidents.deploy.DeployDirectory.configMap;
import static io.nodeincidents.deploy.DeployDirectory.correlate;
import static io.nodeincidents.deploy.DeployDirectory.properties;
import static io.nodeincidents.deploy.DeployDirectory.read;
import static io.nodeincidents.deploy.DeployDirectory.shipper;
import static io.nodeincidents.deploy.KubernetesManifestsTest.container;
import static org.assertj.core.api.Assertions.assertThat;

/** The image build files (Dockerfiles, Jib), the image defaults and the topic script agree with the manifests. */
class ImageFilesTest {

    private static final Pattern STAGE = Pattern.compile("(?m)^FROM\\s");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theConfigMapCarriesTheTopicScriptVerbatim() {
        assertThat(configMap().getData().get("create-topics.sh"))
                .isEqualTo(read(DEPLOY.resolve("kafka/create-topics.sh")));
    }

    @Test
    void theTopicScriptCreatesEveryTopicWithItsRetention() {
        String script = read(DEPLOY.resolve("kafka/create-topics.sh"));
        for (String topic : List.of("journal.entries", "journal.deadletter", "incidents", "incidents.ecs",
                "fleet.alerts")) {
            assertThat(script).as(topic).containsPattern("(?m)^create " + Pattern.quote(topic) + " ");
        }
        assertThat(script).containsPattern("(?m)^create incidents cleanup.policy=compact$");
        assertThat(script).containsPattern("(?m)^create journal.entries \"retention.ms=");
        assertThat(script).contains("--if-not-exists");
    }

    @Test
    void theConfigMapReplacesTheImageDefaultsWithoutLosingAKey() {
        check("shipper.properties", container(shipper().getSpec().getTemplate().getSpec(), "shipper"));
        check("correlate.properties", container(correlate().getSpec().getTemplate().getSpec(), "correlate"));
    }

    private static void check(String file, Container container) {
        Properties defaults = properties(read(DEPLOY.resolve("config").resolve(file)));
        Properties mounted = properties(configMap().getData().get(file));
        Set<String> fromEnvironment = new HashSet<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getName().startsWith("NODEINCIDENTS_")) {
                fromEnvironment.add(e.getName().substring("NODEINCIDENTS_".length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.'));
            }
        }
        assertThat(defaults.stringPropertyNames()).as(file).isNotEmpty();
        for (String key : defaults.stringPropertyNames()) {
            assertThat(mounted.containsKey(key) || fromEnvironment.contains(key))
                    .as(file + ": " + key + " set by the ConfigMap or the pod's environment").isTrue();
        }
    }

    @Test
    void dockerfilesRunNonRootWithAHealthcheckAndTheManifestsCommand() throws Exception {
        record Image(String dockerfile, Container container) { }
        for (Image image : List.of(
                new Image("shipper.Dockerfile", container(shipper().getSpec().getTemplate().getSpec(), "shipper")),
                new Image("correlate.Dockerfile", container(correlate().getSpec().getTemplate().getSpec(), "correlate")))) {
            String text = read(DEPLOY.resolve("docker").resolve(image.dockerfile()));
            String runtime = lastStage(text);
            Matcher user = Pattern.compile("(?m)^USER\\s+(\\d+)").matcher(text); // the shipper sets it in its base stage
            String lastUser = null;
            while (user.find()) {
                lastUser = user.group(1);
            }
            assertThat(lastUser).as(image.dockerfile() + " numeric USER").isNotNull().isNotEqualTo("0");
            assertThat(runtime).as(image.dockerfile()).containsPattern("(?m)^HEALTHCHECK\\s");
            assertThat(runtime).containsPattern("(?m)^LABEL\\s+org\\.opencontainers\\.image\\.title=");
            Matcher expose = Pattern.compile("(?m)^EXPOSE\\s+(\\d+)").matcher(runtime);
            assertThat(expose.find()).as(image.dockerfile() + " EXPOSE").isTrue();
            assertThat(image.container().getPorts().get(0).getContainerPort())
                    .isEqualTo(Integer.parseInt(expose.group(1)));
            assertThat(jsonInstruction(runtime, "CMD")).as(image.dockerfile() + " CMD = the manifest's args")
                    .isEqualTo(image.container().getArgs());
            assertThat(image.container().getCommand()).as("the image's ENTRYPOINT stays").isNullOrEmpty();
            for (String source : copiedSources(text)) {
                assertThat(REPOSITORY.resolve(source)).as(image.dockerfile() + " COPY " + source).exists();
            }
            assertThat(DEPLOY.resolve("docker").resolve(image.dockerfile() + ".dockerignore")).isRegularFile();
        }
    }

    @Test
    void theShipperImageCarriesJournalctlAndOnlyTheIngestJars() throws Exception {
        String text = read(DEPLOY.resolve("docker/shipper.Dockerfile"));
        assertThat(text).contains("-pl ingest ").doesNotContain("-pl streams").doesNotContain("streams/target")
                .doesNotContain("-pl app").doesNotContain("app/target");
        assertThat(text).containsPattern("apt-get install [^\\n]*--no-install-recommends systemd");
        assertThat(text).containsPattern("(?m)^FROM debian:[a-z]+-slim");
        assertThat(text).contains("ARG JOURNAL_GID=");
        assertThat(jsonInstruction(lastStage(text), "ENTRYPOINT"))
                .contains("/opt/nodeincidents/lib/*", "io.nodeincidents.ingest.cli.IngestCommand");
        assertThat(REPOSITORY.resolve("ingest/src/main/java/io/nodeincidents/ingest/cli/IngestCommand.java"))
                .as("the shipper image's main class lives in the ingest module").isRegularFile();
        String correlate = read(DEPLOY.resolve("docker/correlate.Dockerfile"));
        assertThat(correlate).contains("-pl app ").containsPattern("(?m)^FROM eclipse-temurin:17-jre");
        assertThat(jsonInstruction(lastStage(correlate), "ENTRYPOINT"))
                .containsExactly("/opt/nodeincidents/bin/nodeincidents");
    }

    @Test
    void jibBuildsTheSameImagesAsTheDockerfiles() throws Exception {
        Element correlate = jib("correlate");
        assertThat(text(correlate, "mainClass")).isEqualTo("io.nodeincidents.cli.NodeIncidentsCommand");
        assertThat(read(REPOSITORY.resolve("bin/nodeincidents"))).contains(text(correlate, "mainClass"));
        Element shipper = jib("shipper");
        assertThat(text(shipper, "mainClass")).isEqualTo("io.nodeincidents.ingest.cli.IngestCommand");

        var tags = KubernetesManifestsTest.imageTags();
        for (var entry : List.of(List.of("correlate", correlate), List.of("shipper", shipper))) {
            String name = (String) entry.get(0);
            Element config = (Element) entry.get(1);
            String to = ((Element) config.getElementsByTagName("to").item(0)).getElementsByTagName("image").item(0)
                    .getTextContent().replace("${project.version}", projectVersion());
            assertThat(to).isEqualTo("nodeincidents/" + name + ":" + tags.get("nodeincidents/" + name));
            Container container = name.equals("shipper")
                    ? container(shipper().getSpec().getTemplate().getSpec(), "shipper")
                    : container(correlate().getSpec().getTemplate().getSpec(), "correlate");
            List<String> args = new ArrayList<>();
            var argNodes = config.getElementsByTagName("arg");
            for (int i = 0; i < argNodes.getLength(); i++) {
                args.add(argNodes.item(i).getTextContent());
            }
            assertThat(args).as(name + " Jib args = the manifest's").isEqualTo(container.getArgs());
            assertThat(text(config, "user")).doesNotStartWith("0");
        }
    }

    private static Element jib(String image) throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(DEPLOY.resolve("jib").resolve(image).resolve("pom.xml").toFile());
        var plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if (text(plugin, "artifactId").equals("jib-maven-plugin")) {
                return (Element) plugin.getElementsByTagName("configuration").item(0);
            }
        }
        throw new AssertionError("no jib-maven-plugin in deploy/jib/" + image);
    }

    private static String projectVersion() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(REPOSITORY.resolve("pom.xml").toFile());
        var children = pom.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i).getNodeName().equals("version")) {
                return children.item(i).getTextContent().strip();
            }
        }
        throw new AssertionError("no version in the parent pom");
    }

    private static String text(Element parent, String tag) {
        return parent.getElementsByTagName(tag).item(0).getTextContent().strip();
    }

    private static String lastStage(String dockerfile) {
        Matcher m = STAGE.matcher(dockerfile);
        int last = -1;
        while (m.find()) {
            last = m.start();
        }
        assertThat(last).as("a FROM").isNotNegative();
        return dockerfile.substring(last);
    }

    /** The exec-form JSON array of an instruction, continuation lines joined. */
    private static List<String> jsonInstruction(String stage, String instruction) throws Exception {
        Matcher m = Pattern.compile("(?ms)^" + instruction + "\\s+(\\[.*?\\])\\s*$").matcher(stage.replace("\\\n", " "));
        assertThat(m.find()).as(instruction + " in exec form").isTrue();
        List<String> result = new ArrayList<>();
        JSON.readTree(m.group(1)).forEach(n -> result.add(n.asText()));
        return result;
    }

    /** Sources of COPY instructions that copy from the build context (not --from another stage). */
    private static List<String> copiedSources(String dockerfile) {
        List<String> sources = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^COPY\\s+(?!--from)(.+)$").matcher(dockerfile.replace("\\\n", " "));
        while (m.find()) {
            String[] parts = m.group(1).trim().split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                if (!parts[i].equals(".")) {
                    sources.add(parts[i]);
                }
            }
        }
        assertThat(sources).isNotEmpty();
        return sources.stream().map(s -> Path.of(s).toString()).toList();
    }
}
