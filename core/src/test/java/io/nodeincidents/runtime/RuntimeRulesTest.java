package io.nodeincidents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime patterns as data: the bundled file, an operator's file on top, and the errors a bad file gets. */
class RuntimeRulesTest {

    @TempDir
    Path dir;

    private static Optional<RuntimeFailure> classify(RuntimeRules rules, String identifier, String message) {
        return new RuntimeFailureClassifier(rules).classify(new LogLine("n1", null, 1_000_000L, null, "syslog",
                identifier, null, 7, 3, message, LineRef.fileLine("f", 1)));
    }

    private RuntimeRules load(String json) throws IOException {
        return RuntimeRules.load(Files.writeString(dir.resolve("rules.json"), json));
    }

    @Test
    void bundledRulesKnowTheKindsAndTheLookAlikes() {
        RuntimeRules rules = RuntimeRules.bundled();
        assertThat(rules.rules()).extracting(RuntimeRules.Rule::name)
                .contains("pod-sandbox", "container-start", "container-oom", "image-pull", "exec");
        assertThat(classify(rules, "kubelet", "E1106 09:58:48.855639 558 kuberuntime_sandbox.go:54] CreatePodSandbox"
                + " for pod \"web-1_prod(2ffdece1-c2d0-11e7-98cb-005056008ce3)\" failed: cannot allocate memory"))
                .hasValueSatisfying(f -> {
                    assertThat(f.kind()).isEqualTo(FailureKind.SANDBOX_FAILURE);
                    assertThat(f.memoryRelated()).isTrue();
                    assertThat(f.pod()).isEqualTo("web-1");
                });
        assertThat(classify(rules, "kubelet", "Failed to pull image \"nginx\": rpc error: RunPodSandbox"))
                .isPresent(); // a sandbox failure mentioning a pull is still a sandbox failure: order matters
        assertThat(classify(rules, "kubelet", "Error: ErrImagePull: failed to create shim")).isEmpty();
        assertThat(classify(rules, "dockerd", "docker: Error response from daemon: Minimum memory limit allowed is"
                + " 6MB.")).isEmpty();
    }

    @Test
    void anOperatorsRuleIsTriedFirstAReusedNameReplacesAndDisabledRemoves() throws IOException {
        RuntimeRules rules = load("""
                {"rules": [
                  {"name": "youki-init", "kind": "CONTAINER_START_FAILURE", "contains": ["container init failed"]},
                  {"name": "image-pull", "kind": "NONE", "contains": ["never printed by anything"]},
                  {"name": "exec", "enabled": false}
                ],
                 "memoryEvidence": [{"name": "cgroup-v2-oom-event", "contains": ["oom_kill "]}],
                 "components": [{"name": "youki", "component": "runc", "identifiers": ["youki"]}]}
                """);
        assertThat(rules.rules().get(0).name()).isEqualTo("youki-init");
        assertThat(rules.rules()).extracting(RuntimeRules.Rule::name).doesNotContain("exec");
        assertThat(classify(rules, "youki", "container init failed: oom_kill 1")).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
            assertThat(f.component()).isEqualTo(RuntimeComponent.RUNC);
            assertThat(f.memoryRelated()).isTrue();
        });
        // the replaced look-alike no longer hides an image pull that names a shim failure
        assertThat(classify(rules, "kubelet", "Error: ErrImagePull: failed to create shim")).isPresent();
        // exec is no longer a look-alike: runc's wording now reads as a start failure
        assertThat(classify(rules, "dockerd", "OCI runtime exec failed: starting container process caused: x"))
                .isPresent();
        assertThat(classify(RuntimeRules.bundled(), "dockerd",
                "OCI runtime exec failed: starting container process caused: x")).isEmpty();
    }

    @Test
    void aBadFileIsRefusedNamingTheFileAndTheRule() throws IOException {
        assertThatThrownBy(() -> load("{\"rules\": [{\"name\": \"x\", \"kind\": \"CONTAINER_CRASH\","
                + " \"contains\": [\"a\"]}]}")).isInstanceOf(RuntimeRulesException.class)
                .hasMessageContaining("rules.json").hasMessageContaining("rule \"x\"")
                .hasMessageContaining("unknown kind \"CONTAINER_CRASH\"");
        assertThatThrownBy(() -> load("{\"rules\": [{\"name\": \"slow\", \"kind\": \"SANDBOX_FAILURE\","
                + " \"regex\": \"RunPodSandbox.*\"}]}")).isInstanceOf(RuntimeRulesException.class)
                .hasMessageContaining("rule \"slow\"").hasMessageContaining("needs \"contains\"");
        assertThatThrownBy(() -> load("{\"rules\": [{\"name\": \"p\", \"kind\": \"NONE\", \"contains\": [\"a\"],"
                + " \"regex\": \"(a\"}]}")).isInstanceOf(RuntimeRulesException.class)
                .hasMessageContaining("rule \"p\"").hasMessageContaining("bad \"regex\"");
        assertThatThrownBy(() -> load("{\"rules\": [{\"name\": \"t\", \"kind\": \"NONE\", \"contains\": [\"a\"],"
                + " \"contians\": [\"b\"]}]}")).isInstanceOf(RuntimeRulesException.class)
                .hasMessageContaining("unknown key \"contians\"");
        assertThatThrownBy(() -> load("{\"rules\": [{\"name\": \"gone\", \"enabled\": false}]}"))
                .isInstanceOf(RuntimeRulesException.class).hasMessageContaining("names no bundled rule");
        assertThatThrownBy(() -> load("{\"rules\": [ {\"name\": }"))
                .isInstanceOf(RuntimeRulesException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> RuntimeRules.load(dir.resolve("missing.json")))
                .isInstanceOf(RuntimeRulesException.class).hasMessageContaining("cannot read it");
    }

    @Test
    void aCatastrophicUserRegexCostsABoundedAmountAndIsNoMatch() throws IOException {
        RuntimeRules rules = load("""
                {"rules": [{"name": "evil", "kind": "CONTAINER_START_FAILURE", "contains": ["aaaa"],
                            "regex": "^(a+)+$"}]}
                """);
        String hostile = "a".repeat(5_000) + "!";
        assertThat(classify(rules, "dockerd", hostile)).isEmpty();
        assertThat(classify(rules, "dockerd", "a".repeat(20))).isPresent();
    }

    @Test
    void adversarialLinesAreClassifiedWithoutTrouble() {
        RuntimeRules rules = RuntimeRules.bundled();
        String nested = "\\\\\\\"".repeat(10_000) + "RunPodSandbox failed";
        assertThat(classify(rules, "kubelet", nested)).isPresent();
        assertThat(classify(rules, "kubelet", "RunPodSandbox ".repeat(50_000))).isEmpty();
        assertThat(classify(rules, "dockerd", "Handler for POST " + "/".repeat(100_000) + "/start returned error"))
                .isEmpty();
        assertThat(classify(rules, "dockerd", "\uFFFD".repeat(1000) + " OCI runtime create failed")).isPresent();
    }
}
