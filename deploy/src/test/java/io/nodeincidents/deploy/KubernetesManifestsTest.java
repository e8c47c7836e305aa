package io.nodeincidents.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.nodeincidents.deploy.DeployDirectory.KUBERNETES;
import static io.nodeincidents.deploy.DeployDirectory.all;
import static io.nodeincidents.deploy.DeployDirectory.allObjects;
import static io.nodeincidents.deploy.DeployDirectory.allObjectsByFile;
import static io.nodeincidents.deploy.DeployDirectory.bytes;
import static io.nodeincidents.deploy.DeployDirectory.configMap;
import static io.nodeincidents.deploy.DeployDirectory.correlate;
import static io.nodeincidents.deploy.DeployDirectory.manifestFiles;
import static io.nodeincidents.deploy.DeployDirectory.named;
import static io.nodeincidents.deploy.DeployDirectory.podTemplates;
import static io.nodeincidents.deploy.DeployDirectory.properties;
import static io.nodeincidents.deploy.DeployDirectory.shipper;
import static io.nodeincidents.deploy.DeployDirectory.topicsJob;
import static io.nodeincidents.deploy.DeployDirectory.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** deploy/kubernetes parsed into fabric8's typed models, checked for what an operator relies on. */
class KubernetesManifestsTest {

    static final List<String> JOURNAL_PATHS = List.of("/var/log/journal", "/run/log/journal", "/etc/machine-id");

    @Test
    void everyManifestIsAKnownTypedKubernetesObject() {
        Map<Path, List<HasMetadata>> byFile = allObjectsByFile();
        assertThat(byFile).isNotEmpty();
        byFile.forEach((file, objects) -> {
            assertThat(objects).as(file.toString()).isNotEmpty();
            for (HasMetadata o : objects) {
                // a misspelt kind or apiVersion still parses, but only into the untyped fallback
                assertThat(o).as(file + ": " + o.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
                assertThat(o.getMetadata().getName()).as(file + ": name").isNotBlank();
            }
        });
        Set<String> kinds = new HashSet<>();
        allObjects().forEach(o -> kinds.add(o.getKind()));
        assertThat(kinds).contains("Namespace", "ServiceAccount", "ConfigMap", "Secret", "Job", "DaemonSet",
                "StatefulSet", "Service", "PodDisruptionBudget", "PriorityClass");
    }

    @Test
    void namesAreUniquePerKind() {
        List<String> seen = new ArrayList<>();
        for (HasMetadata o : allObjects()) {
            String id = o.getKind() + "/" + o.getMetadata().getName();
            assertThat(seen).as("duplicate " + id).doesNotContain(id);
            seen.add(id);
        }
    }

    @Test
    void shipperMountsTheHostJournalReadOnlyAtTheHostPaths() {
        PodSpec pod = shipper().getSpec().getTemplate().getSpec();
        Container shipper = container(pod, "shipper");
        for (String path : JOURNAL_PATHS) {
            VolumeMount mount = mountAt(shipper, path)
                    .orElseThrow(() -> new AssertionError("shipper does not mount " + path));
            assertThat(mount.getReadOnly()).as(path + " read-only").isTrue();
            assertThat(mount.getSubPath()).as(path + " subPath").isNull();
            Volume volume = volume(pod, mount.getName());
            assertThat(volume.getHostPath()).as(path + " is a hostPath").isNotNull();
            // journalctl looks for the journal of /etc/machine-id at these very paths
            assertThat(volume.getHostPath().getPath()).isEqualTo(path);
        }
        String machineIdVolume = mountAt(shipper, "/etc/machine-id").orElseThrow().getName();
        assertThat(volume(pod, machineIdVolume).getHostPath().getType()).isEqualTo("File");
    }

    @Test
    void theOnlyWritableHostPathIsTheShipperCursorDirectory() {
        PodSpec pod = shipper().getSpec().getTemplate().getSpec();
        Container shipper = container(pod, "shipper");
        Path cursorFile = Path.of(optionValue(shipper.getArgs(), "--cursor-file"));

        VolumeMount cursorMount = mountAt(shipper, cursorFile.getParent().toString())
                .orElseThrow(() -> new AssertionError("nothing mounted at the cursor's directory " + cursorFile));
        assertThat(cursorMount.getReadOnly()).as("cursor mount writable").isNotEqualTo(Boolean.TRUE);
        Volume cursor = volume(pod, cursorMount.getName());
        // on the node, not in the pod: the cursor outlives pod restarts and DaemonSet updates
        assertThat(cursor.getHostPath()).as("cursor on a hostPath").isNotNull();
        assertThat(cursor.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(cursor.getHostPath().getPath()).isNotIn(JOURNAL_PATHS).startsWith("/var/lib/");

        for (Container c : allContainers(pod)) {
            for (VolumeMount m : Optional.ofNullable(c.getVolumeMounts()).orElse(List.of())) {
                Volume v = volume(pod, m.getName());
                if (v.getHostPath() != null && !v.getName().equals(cursor.getName())) {
                    assertThat(m.getReadOnly())
                            .as(c.getName() + " mounts host " + v.getHostPath().getPath() + " writable").isTrue();
                }
            }
        }
        // kubelet creates the directory as root: something must hand it to the shipper's user
        Container owner = pod.getInitContainers().stream()
                .filter(c -> c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(cursor.getName())))
                .findFirst().orElseThrow(() -> new AssertionError("no init container prepares the cursor dir"));
        assertThat(String.join(" ", owner.getCommand()))
                .contains("chown")
                .contains(pod.getSecurityContext().getRunAsUser().toString())
                .contains(mountAt(owner, cursorMount.getMountPath()).orElseThrow().getMountPath());
    }

    @Test
    void shipperRunsNonRootInTheJournalGroupOnEveryNode() {
        PodSpec pod = shipper().getSpec().getTemplate().getSpec();
        PodSecurityContext security = pod.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getRunAsUser()).isPositive();
        assertThat(security.getSupplementalGroups()).as("journal group").isNotEmpty();
        assertThat(security.getSupplementalGroups()).allSatisfy(gid -> assertThat(gid).isPositive());

        List<Toleration> tolerations = pod.getTolerations();
        assertThat(tolerations).as("tolerates every taint").anySatisfy(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull();
        });
        assertThat(pod.getPriorityClassName()).isNotBlank();
        PriorityClass priority = named(PriorityClass.class, pod.getPriorityClassName());
        assertThat(priority.getValue()).isPositive().isLessThan(2_000_000_000);

        Container shipper = container(pod, "shipper");
        EnvVar node = env(shipper, "NODEINCIDENTS_SHIP_HOST");
        assertThat(node.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");

        // the init container is the one root step: it may chown and nothing else
        for (Container init : pod.getInitContainers()) {
            SecurityContext s = init.getSecurityContext();
            assertThat(s.getAllowPrivilegeEscalation()).isFalse();
            assertThat(s.getCapabilities().getDrop()).contains("ALL");
            assertThat(Optional.ofNullable(s.getCapabilities().getAdd()).orElse(List.of())).isSubsetOf("CHOWN");
        }
    }

    @Test
    void everyLongRunningContainerIsLockedDown() {
        podTemplates().forEach((workload, template) -> {
            PodSpec pod = template.getSpec();
            assertThat(pod.getAutomountServiceAccountToken()).as(workload + " mounts no API token").isFalse();
            assertThat(pod.getServiceAccountName()).as(workload + " service account").isNotBlank();
            for (Container c : pod.getContainers()) {
                String what = workload + "/" + c.getName();
                SecurityContext s = c.getSecurityContext();
                assertThat(s).as(what + " securityContext").isNotNull();
                Boolean nonRoot = s.getRunAsNonRoot() != null ? s.getRunAsNonRoot()
                        : pod.getSecurityContext().getRunAsNonRoot();
                assertThat(nonRoot).as(what + " runAsNonRoot").isTrue();
                Long uid = s.getRunAsUser() != null ? s.getRunAsUser() : pod.getSecurityContext().getRunAsUser();
                assertThat(uid).as(what + " uid").isNotNull().isNotZero();
                assertThat(s.getAllowPrivilegeEscalation()).as(what + " allowPrivilegeEscalation").isFalse();
                assertThat(s.getPrivileged()).as(what + " privileged").isNotEqualTo(Boolean.TRUE);
                assertThat(s.getReadOnlyRootFilesystem()).as(what + " readOnlyRootFilesystem").isTrue();
                assertThat(s.getCapabilities().getDrop()).as(what + " drops").contains("ALL");
                assertThat(s.getCapabilities().getAdd()).as(what + " adds capabilities").isNullOrEmpty();
                // a read-only root still needs a writable /tmp for the JNI libraries Java unpacks
                assertThat(mountAt(c, "/tmp")).as(what + " /tmp").isPresent();
            }
            for (Container c : Optional.ofNullable(pod.getInitContainers()).orElse(List.of())) {
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
            }
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        });
    }

    @Test
    void everyContainerHasRequestsAndLimits() {
        podTemplates().forEach((workload, template) -> {
            for (Container c : allContainers(template.getSpec())) {
                String what = workload + "/" + c.getName();
                assertThat(c.getResources()).as(what).isNotNull();
                Map<String, Quantity> requests = c.getResources().getRequests();
                Map<String, Quantity> limits = c.getResources().getLimits();
                assertThat(requests).as(what + " requests").containsKeys("cpu", "memory");
                assertThat(limits).as(what + " limits").containsKey("memory");
                assertThat(Quantity.getAmountInBytes(requests.get("memory")))
                        .as(what + " memory request <= limit")
                        .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("memory")));
            }
        });
    }

    @Test
    void javaHeapAndNativeAreasFitTheMemoryLimit() {
        Pattern flag = Pattern.compile(
                "-(Xmx|XX:MaxMetaspaceSize=|XX:ReservedCodeCacheSize=|XX:MaxDirectMemorySize=)(\\d+[kKmMgG]?)");
        for (Container c : List.of(container(shipper().getSpec().getTemplate().getSpec(), "shipper"),
                container(correlate().getSpec().getTemplate().getSpec(), "correlate"))) {
            String options = env(c, "JAVA_TOOL_OPTIONS").getValue();
            long limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")).longValue();
            long heap = 0;
            long reserved = 0;
            Matcher m = flag.matcher(options);
            while (m.find()) {
                long size = bytes(m.group(2), true);
                reserved += size;
                if (m.group(1).equals("Xmx")) {
                    heap = size;
                }
            }
            assertThat(heap).as(c.getName() + ": -Xmx set").isPositive();
            // the rest of the limit is threads, GC, RocksDB (correlate) and journalctl (shipper)
            assertThat(heap).as(c.getName() + " heap <= half the limit").isLessThanOrEqualTo(limit / 2);
            assertThat(reserved).as(c.getName() + " JVM maxima <= 3/4 of the limit")
                    .isLessThanOrEqualTo(limit * 3 / 4);
        }
    }

    @Test
    void probesOfLongRunningContainersHitDeclaredPorts() {
        for (PodTemplateSpec template : List.of(shipper().getSpec().getTemplate(),
                correlate().getSpec().getTemplate())) {
            for (Container c : template.getSpec().getContainers()) {
                assertThat(c.getPorts()).as(c.getName() + " ports").isNotEmpty();
                assertThat(c.getLivenessProbe()).as(c.getName() + " liveness").isNotNull();
                assertThat(c.getReadinessProbe()).as(c.getName() + " readiness").isNotNull();
                for (Probe p : Stream.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())
                        .filter(Objects::nonNull).toList()) {
                    assertThat(p.getHttpGet()).as(c.getName() + " probes over HTTP").isNotNull();
                    assertThat(p.getHttpGet().getPath()).startsWith("/");
                    assertThat(declares(c, p.getHttpGet().getPort()))
                            .as(c.getName() + " probe port " + p.getHttpGet().getPort() + " is declared").isTrue();
                }
            }
        }
        Container correlate = container(correlate().getSpec().getTemplate().getSpec(), "correlate");
        assertThat(correlate.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(correlate.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        Container shipper = container(shipper().getSpec().getTemplate().getSpec(), "shipper");
        Properties shipperConfig = properties(configMap().getData().get("shipper.properties"));
        assertThat(shipperConfig.getProperty("ship.metrics.address")).isEqualTo("0.0.0.0");
        assertThat(shipper.getPorts()).extracting(ContainerPort::getContainerPort)
                .contains(Integer.valueOf(shipperConfig.getProperty("ship.metrics.port")));
    }

    @Test
    void correlateKeepsItsStateOnAVolumeClaimAtTheStateDir() {
        StatefulSet sts = correlate();
        List<PersistentVolumeClaim> claims = sts.getSpec().getVolumeClaimTemplates();
        assertThat(claims).hasSize(1);
        PersistentVolumeClaim claim = claims.get(0);
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");

        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        Container correlate = container(pod, "correlate");
        VolumeMount stateMount = correlate.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(claim.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("the claim is not mounted"));
        assertThat(stateMount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).as("no pod volume shadows the claim")
                .noneMatch(v -> v.getName().equals(claim.getMetadata().getName()));

        Properties config = properties(configMap().getData().get("correlate.properties"));
        String stateDir = config.getProperty("state.dir");
        assertThat(stateDir).as("state.dir in the ConfigMap").isNotBlank();
        assertThat(Path.of(stateDir).normalize().startsWith(Path.of(stateMount.getMountPath())))
                .as("state.dir " + stateDir + " under the claim's mount " + stateMount.getMountPath()).isTrue();
        // fsGroup makes the fresh volume writable by the non-root user
        assertThat(pod.getSecurityContext().getFsGroup()).isNotNull();
    }

    @Test
    void correlateInstancesFindEachOtherThroughTheHeadlessService() {
        StatefulSet sts = correlate();
        assertThat(sts.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        Service headless = named(Service.class, sts.getSpec().getServiceName());
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();

        Container correlate = container(sts.getSpec().getTemplate().getSpec(), "correlate");
        String server = env(correlate, "NODEINCIDENTS_APPLICATION_SERVER").getValue();
        assertThat(server).startsWith("$(POD_NAME)." + headless.getMetadata().getName() + ".");
        int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
        Properties config = properties(configMap().getData().get("correlate.properties"));
        assertThat(port).isEqualTo(Integer.parseInt(config.getProperty("query.port")));
        assertThat(config.getProperty("query.listen.address")).isEqualTo("0.0.0.0");
        assertThat(correlate.getPorts()).extracting(ContainerPort::getContainerPort).contains(port);
        assertThat(env(correlate, "POD_NAME").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.name");

        var antiAffinity = sts.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        assertThat(antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution()).isNotEmpty();
        var term = antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm();
        assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(term.getLabelSelector().getMatchLabels());
    }

    @Test
    void servicesAndTheDisruptionBudgetSelectTheCorrelatePods() {
        Map<String, String> podLabels = correlate().getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> shipperLabels = shipper().getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(correlate().getSpec().getSelector().getMatchLabels());
        assertThat(shipperLabels).containsAllEntriesOf(shipper().getSpec().getSelector().getMatchLabels());
        Container correlate = container(correlate().getSpec().getTemplate().getSpec(), "correlate");

        List<Service> services = all(Service.class);
        assertThat(services).extracting(s -> s.getMetadata().getName())
                .contains("nodeincidents-query", correlate().getSpec().getServiceName());
        for (Service service : services) {
            String name = service.getMetadata().getName();
            assertThat(service.getSpec().getSelector()).as(name + " selector").isNotEmpty();
            assertThat(podLabels).as(name + " selects the correlate pods")
                    .containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(shipperLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()))
                    .as(name + " selects no shipper").isFalse();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(declares(correlate, port.getTargetPort()))
                        .as(name + " targetPort " + port.getTargetPort()).isTrue();
            }
        }
        PodDisruptionBudget pdb = named(PodDisruptionBudget.class, "nodeincidents-correlate");
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    }

    @Test
    void everyConfigMapAndSecretKeyThePodsUseExists() {
        int references = 0;
        for (Map.Entry<String, PodTemplateSpec> workload : podTemplates().entrySet()) {
            PodSpec pod = workload.getValue().getSpec();
            for (Container c : allContainers(pod)) {
                for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                    if (e.getValueFrom() == null) {
                        continue;
                    }
                    var cm = e.getValueFrom().getConfigMapKeyRef();
                    var sk = e.getValueFrom().getSecretKeyRef();
                    if (cm != null) {
                        assertThat(configMapKeys(cm.getName())).as(workload.getKey() + " " + e.getName())
                                .contains(cm.getKey());
                        references++;
                    }
                    // an optional key (the query API's token) may be absent: the pod starts without it
                    if (sk != null && !Boolean.TRUE.equals(sk.getOptional())) {
                        assertThat(secretKeys(sk.getName())).as(workload.getKey() + " " + e.getName())
                                .contains(sk.getKey());
                        references++;
                    }
                }
            }
            for (Volume v : Optional.ofNullable(pod.getVolumes()).orElse(List.of())) {
                if (v.getConfigMap() != null) {
                    for (KeyToPath item : v.getConfigMap().getItems()) {
                        assertThat(configMapKeys(v.getConfigMap().getName())).as(v.getName()).contains(item.getKey());
                        references++;
                    }
                }
                if (v.getSecret() != null) {
                    for (KeyToPath item : v.getSecret().getItems()) {
                        assertThat(secretKeys(v.getSecret().getSecretName())).as(v.getName())
                                .contains(item.getKey());
                        references++;
                    }
                }
            }
        }
        assertThat(references).as("references checked").isGreaterThan(10);
    }

    @Test
    void theConfigFileEachProgramIsGivenIsTheOneMountedFromTheConfigMap() {
        Map<String, String> expected = Map.of("shipper", "shipper.properties", "correlate", "correlate.properties");
        for (PodTemplateSpec template : List.of(shipper().getSpec().getTemplate(),
                correlate().getSpec().getTemplate())) {
            PodSpec pod = template.getSpec();
            Container c = pod.getContainers().get(0);
            Path config = Path.of(optionValue(c.getArgs(), "--config"));
            VolumeMount mount = mountAt(c, config.getParent().toString())
                    .orElseThrow(() -> new AssertionError(c.getName() + ": nothing mounted at " + config.getParent()));
            Volume volume = volume(pod, mount.getName());
            assertThat(volume.getConfigMap()).as(c.getName() + " config from a ConfigMap").isNotNull();
            assertThat(volume.getConfigMap().getItems()).anySatisfy(item -> {
                assertThat(item.getPath()).isEqualTo(config.getFileName().toString());
                assertThat(item.getKey()).isEqualTo(expected.get(c.getName()));
            });
        }
    }

    @Test
    void imagesArePinnedWithOneTagPerImageAndKustomizeKnowsThem() {
        Map<String, String> tags = imageTags();
        assertThat(tags).containsKeys("nodeincidents/shipper", "nodeincidents/correlate", "apache/kafka");
        assertThat(tags.get("nodeincidents/shipper")).isEqualTo(tags.get("nodeincidents/correlate"));

        var kustomization = yaml(KUBERNETES.resolve("kustomization.yaml"));
        Map<String, String> kustomized = new TreeMap<>();
        kustomization.get("images").forEach(i -> kustomized.put(i.get("name").asText(), i.get("newTag").asText()));
        assertThat(kustomized).containsEntry("nodeincidents/shipper", tags.get("nodeincidents/shipper"))
                .containsEntry("nodeincidents/correlate", tags.get("nodeincidents/correlate"));
    }

    @Test
    void kustomizationListsEveryManifestAndSetsTheirNamespace() {
        var kustomization = yaml(KUBERNETES.resolve("kustomization.yaml"));
        List<String> resources = new ArrayList<>();
        kustomization.get("resources").forEach(r -> resources.add(r.asText()));
        List<String> files = manifestFiles().stream().map(f -> f.getFileName().toString()).toList();
        assertThat(resources).containsExactlyInAnyOrderElementsOf(files);

        List<Namespace> namespaces = all(Namespace.class);
        assertThat(namespaces).hasSize(1);
        assertThat(kustomization.get("namespace").asText()).isEqualTo(namespaces.get(0).getMetadata().getName());
        // namespaced objects leave the namespace to kustomize, so an overlay can move them all
        for (HasMetadata o : allObjects()) {
            assertThat(o.getMetadata().getNamespace()).as(o.getKind() + "/" + o.getMetadata().getName()).isNull();
        }
    }

    @Test
    void topicsJobRunsTheScriptWithSettingsFromTheConfigMap() {
        PodSpec pod = topicsJob().getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isIn("OnFailure", "Never");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).startsWith("apache/kafka:");
        Path script = Path.of(c.getCommand().get(c.getCommand().size() - 1));
        VolumeMount mount = mountAt(c, script.getParent().toString()).orElseThrow();
        Volume volume = volume(pod, mount.getName());
        assertThat(volume.getConfigMap().getItems()).anySatisfy(i -> {
            assertThat(i.getKey()).isEqualTo("create-topics.sh");
            assertThat(i.getPath()).isEqualTo(script.getFileName().toString());
        });
        for (String name : List.of("BOOTSTRAP_SERVERS", "TOPIC_PARTITIONS", "TOPIC_REPLICATION_FACTOR")) {
            assertThat(env(c, name).getValueFrom().getConfigMapKeyRef()).as(name).isNotNull();
        }
        Map<String, String> data = configMap().getData();
        assertThat(Integer.parseInt(data.get("topics.partitions")))
                .as("partitions bound the instances that can work")
                .isGreaterThanOrEqualTo(correlate().getSpec().getReplicas());
        assertThat(Integer.parseInt(data.get("topics.replication.factor"))).isGreaterThanOrEqualTo(3);
    }

    // --- helpers, also used by the other tests

    /** Image name to tag over every container of every workload; fails on two tags for one name. */
    static Map<String, String> imageTags() {
        Map<String, String> tags = new TreeMap<>();
        podTemplates().forEach((workload, template) -> {
            for (Container c : allContainers(template.getSpec())) {
                String image = c.getImage();
                assertThat(image).as(workload + "/" + c.getName() + " image pinned")
                        .contains(":").doesNotEndWith(":latest");
                String name = image.substring(0, image.lastIndexOf(':'));
                String tag = image.substring(image.lastIndexOf(':') + 1);
                String previous = tags.putIfAbsent(name, tag);
                assertThat(previous == null || previous.equals(tag))
                        .as(name + " with tags " + previous + " and " + tag).isTrue();
            }
        });
        return tags;
    }

    static List<Container> allContainers(PodSpec pod) {
        List<Container> result = new ArrayList<>(Optional.ofNullable(pod.getInitContainers()).orElse(List.of()));
        result.addAll(pod.getContainers());
        return result;
    }

    static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    static Optional<VolumeMount> mountAt(Container c, String path) {
        return Optional.ofNullable(c.getVolumeMounts()).orElse(List.of()).stream()
                .filter(m -> m.getMountPath().equals(path)).findFirst();
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("mount of undeclared volume " + name));
    }

    static EnvVar env(Container c, String name) {
        return Optional.ofNullable(c.getEnv()).orElse(List.of()).stream().filter(e -> e.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
    }

    static String optionValue(List<String> args, String option) {
        int i = args.indexOf(option);
        if (i < 0 || i + 1 >= args.size()) {
            fail("no " + option + " in " + args);
        }
        return args.get(i + 1);
    }

    static boolean declares(Container c, IntOrString port) {
        for (ContainerPort p : Optional.ofNullable(c.getPorts()).orElse(List.of())) {
            boolean match = port.getIntVal() != null
                    ? port.getIntVal().equals(p.getContainerPort())
                    : port.getStrVal().equals(p.getName());
            if (match) {
                return true;
            }
        }
        return false;
    }

    static Set<String> configMapKeys(String name) {
        return named(ConfigMap.class, name).getData().keySet();
    }

    static Set<String> secretKeys(String name) {
        Secret secret = named(Secret.class, name);
        Set<String> keys = new HashSet<>();
        Optional.ofNullable(secret.getData()).ifPresent(d -> keys.addAll(d.keySet()));
        Optional.ofNullable(secret.getStringData()).ifPresent(d -> keys.addAll(d.keySet()));
        return keys;
    }
}
