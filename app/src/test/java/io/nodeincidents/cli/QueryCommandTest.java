package io.nodeincidents.cli;

import static io.nodeincidents.query.QueryFixture.incident;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.query.QueryFixture;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nodeincidents query} against a real query API, as a user runs it. */
class QueryCommandTest {

    private static final String ID = "3f1c52b8-6a4e-3d0c-9d8e-2b8f4f1e7a10";
    private QueryFixture api;

    @TempDir
    Path stateDir;

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
    }

    private void twoIncidents(Optional<String> token) {
        api = new QueryFixture(stateDir, token, null);
        api.add(incident(ID, 3, "slave-138", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.RESOLVED, 0, 89))
                .add(incident("other", 1, "ip-10-1-2-125", IncidentCause.CGROUP_OOM, IncidentStatus.OPEN, 30, 40))
                .add(QueryFixture.kernelEvent("slave-138", 0)).add(QueryFixture.sandboxFailure("slave-138", 1));
    }

    private CommandRun query(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--url";
        all[args.length + 1] = api.url().toString();
        return CommandRun.command("query", all);
    }

    @Test
    void theTableShowsTheIncidentInAlignedColumns() {
        twoIncidents(Optional.empty());
        CommandRun run = query("incidents", "--host", "slave-138");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("LAST SEEN").contains("HOST", "CAUSE", "STATUS", "INCIDENT");
        assertThat(lines.get(1)).startsWith("2017-11-12T07:17:10Z  2017-11-12T07:15:41Z  slave-138")
                .contains("MEMORY_FRAGMENTATION", "CRITICAL", "RESOLVED", ID);
        // aligned: each value starts under its heading
        for (String[] column : new String[][] {{"HOST", "slave-138"}, {"CAUSE", "MEMORY_FRAGMENTATION"},
                {"STATUS", "RESOLVED"}, {"INCIDENT", ID}}) {
            assertThat(lines.get(1).indexOf(column[1])).as(column[0]).isEqualTo(lines.get(0).indexOf(column[0]));
        }

        CommandRun all = query("incidents", "--limit", "1");
        assertThat(all.out()).contains(ID).doesNotContain("ip-10-1-2-125").contains("more: add --cursor ");
        String cursor = all.out().lines().filter(l -> l.startsWith("more:")).findFirst().orElseThrow()
                .substring("more: add --cursor ".length());
        assertThat(query("incidents", "--limit", "1", "--cursor", cursor).out()).contains("ip-10-1-2-125")
                .doesNotContain(ID).doesNotContain("more:");
    }

    @Test
    void oneIncidentInFullWithItsEvidence() {
        twoIncidents(Optional.empty());
        CommandRun run = query("incident", ID);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("incident   " + ID + " (revision 3)")
                .contains("host       slave-138 (kernel 3.10.0-514.el7.x86_64)")
                .contains("status     RESOLVED, CRITICAL MEMORY_FRAGMENTATION")
                .contains("seen       2017-11-12T07:15:41Z .. 2017-11-12T07:17:10Z")
                .contains("allocationFailures 1, sandboxFailures 1")
                .contains("diagnosis  An order-6 allocation failed")
                .contains("affected pods\n  prod/matchdataserver-1255064836-t4b2w")
                .contains("kernel evidence\n  2017-11-12T07:15:41Z  ALLOC_FAILURE  order-6 page allocation failure")
                .contains("runtime failures\n  2017-11-12T07:15:42Z  SANDBOX_FAILURE  kubelet prod/matchdataserver")
                .contains("remediation\n  1. echo 1 > /proc/sys/vm/compact_memory");
    }

    @Test
    void aHostsEventsAsATableAndJsonAsTheApiSentIt() throws Exception {
        twoIncidents(Optional.empty());
        CommandRun events = query("events", "slave-138");
        assertThat(events.exitCode()).as(events.err()).isZero();
        assertThat(events.out().lines().toList()).containsExactly(
                "TIME                  SOURCE   KIND             WHAT",
                "2017-11-12T07:15:41Z  kernel   ALLOC_FAILURE    order-6 page allocation failure (fragmentation)",
                "2017-11-12T07:15:42Z  runtime  SANDBOX_FAILURE  kubelet prod/matchdataserver-1255064836-t4b2w"
                        + " [memory]: running exec setns process for init caused \"exit status 6\"");

        CommandRun json = query("incident", ID, "--json");
        JsonNode incident = new ObjectMapper().readTree(json.out());
        assertThat(incident.path("incidentId").asText()).isEqualTo(ID);
        assertThat(incident.path("kernelEvents")).hasSize(1);
        assertThat(new ObjectMapper().readTree(query("incidents", "--json").out()).path("incidents")).hasSize(2);
    }

    @Test
    void clearErrorsWhenTheServerIsDownRefusesTheTokenOrKnowsNoSuchIncident() throws Exception {
        twoIncidents(Optional.of("s3cret"));
        CommandRun noToken = query("incidents");
        assertThat(noToken.exitCode()).isEqualTo(1);
        assertThat(noToken.err()).contains("wants a valid token: give --token or set NODEINCIDENTS_QUERY_TOKEN");
        assertThat(query("incidents", "--token", "s3cret").out()).contains(ID);

        CommandRun unknown = query("incident", "nope", "--token", "s3cret");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no incident nope");

        CommandRun badCause = query("incidents", "--cause", "FRAGMENTED", "--token", "s3cret");
        assertThat(badCause.exitCode()).isEqualTo(2);
        assertThat(badCause.err()).contains("cause: unknown value 'FRAGMENTED'");

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CommandRun down = CommandRun.command("query", "incidents", "--url", "http://127.0.0.1:" + closedPort);
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach the query API at http://127.0.0.1:" + closedPort
                + ": connection refused");
    }
}
