package io.nodeincidents.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/** The files under deploy/, read the way the tools that consume them read them. */
final class DeployDirectory {

    static final Path DEPLOY = locate();
    static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    static final Path REPOSITORY = DEPLOY.getParent();

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private DeployDirectory() {
    }

    private static Path locate() {
        // surefire runs in the module directory, which is deploy/ itself
        Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        if (Files.isDirectory(base.resolve("kubernetes"))) {
            return base;
        }
        if (Files.isDirectory(base.resolve("deploy/kubernetes"))) {
            return base.resolve("deploy");
        }
        throw new IllegalStateException("cannot find deploy/kubernetes from " + base);
    }

    /** The manifest files kubectl/kustomize apply: every .yaml under kubernetes/ but the kustomization. */
    static List<Path> manifestFiles() {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every object of one manifest file (multi-document YAML allowed), as fabric8's typed models. */
    static List<HasMetadata> objects(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = SERIALIZATION.unmarshal(in);
            List<HasMetadata> result = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                for (Object o : list) {
                    result.add(asObject(file, o));
                }
            } else {
                result.add(asObject(file, parsed));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HasMetadata asObject(Path file, Object o) {
        if (o instanceof HasMetadata object) {
            return object;
        }
        throw new AssertionError(file + " holds something that is not a Kubernetes object: "
                + (o == null ? "null" : o.getClass()));
    }

    /** All objects of all manifest files, by file. */
    static Map<Path, List<HasMetadata>> allObjectsByFile() {
        Map<Path, List<HasMetadata>> result = new LinkedHashMap<>();
        for (Path file : manifestFiles()) {
            result.put(file, objects(file));
        }
        return result;
    }

    static List<HasMetadata> allObjects() {
        return allObjectsByFile().values().stream().flatMap(List::stream).toList();
    }

    static <T extends HasMetadata> List<T> all(Class<T> type) {
        return allObjects().stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }

    static DaemonSet shipper() {
        return named(DaemonSet.class, "nodeincidents-shipper");
    }

    static StatefulSet correlate() {
        return named(StatefulSet.class, "nodeincidents-correlate");
    }

    static Job topicsJob() {
        return named(Job.class, "nodeincidents-topics");
    }

    static ConfigMap configMap() {
        return named(ConfigMap.class, "nodeincidents-config");
    }

    static Secret secret() {
        return named(Secret.class, "nodeincidents-kafka-client");
    }

    /** Every pod template of the workloads, by workload name. */
    static Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> result = new LinkedHashMap<>();
        all(DaemonSet.class).forEach(d -> result.put(d.getMetadata().getName(), d.getSpec().getTemplate()));
        all(StatefulSet.class).forEach(s -> result.put(s.getMetadata().getName(), s.getSpec().getTemplate()));
        all(Job.class).forEach(j -> result.put(j.getMetadata().getName(), j.getSpec().getTemplate()));
        return result;
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** Bytes in a Kubernetes quantity or a JVM size ("256Mi", "2Gi", "80m" for -Xmx, "512k"). */
    static long bytes(String quantity, boolean jvm) {
        String q = quantity.strip();
        int split = 0;
        while (split < q.length() && (Character.isDigit(q.charAt(split)) || q.charAt(split) == '.')) {
            split++;
        }
        double number = Double.parseDouble(q.substring(0, split));
        String unit = q.substring(split);
        long factor = switch (jvm ? unit.toLowerCase(java.util.Locale.ROOT) : unit) {
            case "" -> 1L;
            case "k", "Ki" -> 1L << 10;
            case "m", "Mi" -> 1L << 20;
            case "g", "Gi" -> 1L << 30;
            case "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit in " + quantity);
        };
        return (long) (number * factor);
    }
}
