package io.nodeincidents.query;

import static io.nodeincidents.query.QueryFixture.incident;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query API over HTTP, as curl and the command line see it, over real stores. */
class QueryServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private QueryFixture api;

    @TempDir
    Path stateDir;

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
    }

    private record Answer(int status, String contentType, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private Answer get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url() + pathAndQuery)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("incidents").forEach(i -> ids.add(i.path("incidentId").asText()));
        return ids;
    }

    /** Seven incidents on three hosts; a and b share their last-evidence time. */
    private void fleet() {
        api = new QueryFixture(stateDir, Optional.empty(), null);
        api.add(incident("a", 1, "slave-138", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 0, 60))
                .add(incident("a", 2, "slave-138", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.UPDATED, 0, 600))
                .add(incident("b", 1, "slave-139", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 300, 600))
                .add(incident("c", 3, "ip-10-1-2-125", IncidentCause.CGROUP_OOM, IncidentStatus.RESOLVED, 100, 200))
                .add(incident("d", 1, "slave-138", IncidentCause.SLAB_ALLOCATION_FAILURE, IncidentStatus.RESOLVED,
                        3600, 3700))
                .add(incident("e", 1, "slave-140", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 50, 90))
                .add(incident("f", 1, "ip-10-1-2-125", IncidentCause.CGROUP_OOM, IncidentStatus.OPEN, 7200, 7300))
                .add(incident("g", 1, "slave-139", IncidentCause.GLOBAL_OOM, IncidentStatus.UPDATED, 10, 20));
    }

    @Test
    void listsIncidentsNewestFirstAsSummariesOfTheLatestRevision() throws Exception {
        fleet();
        Answer answer = get("/incidents");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        JsonNode page = answer.json();
        // by last evidence descending; a and b (both at +600 s) by id descending
        assertThat(ids(page)).containsExactly("f", "d", "b", "a", "c", "e", "g");
        assertThat(page.path("nextCursor").isNull()).isTrue();
        JsonNode a = page.path("incidents").get(3);
        assertThat(a.path("revision").asInt()).isEqualTo(2);
        assertThat(a.path("status").asText()).isEqualTo("UPDATED");
        assertThat(a.path("diagnosis").asText()).contains("fragmentation");
        assertThat(a.has("kernelEvents")).as("the list leaves the evidence to /incidents/{id}").isFalse();
    }

    @Test
    void filtersByHostCauseStatusAndTime() throws Exception {
        fleet();
        assertThat(ids(get("/incidents?host=slave-138").json())).containsExactly("d", "a");
        assertThat(ids(get("/incidents?cause=cgroup_oom").json())).containsExactly("f", "c");
        assertThat(ids(get("/incidents?cause=CGROUP_OOM,GLOBAL_OOM").json())).containsExactly("f", "c", "g");
        assertThat(ids(get("/incidents?status=OPEN,UPDATED&host=slave-139").json())).containsExactly("b", "g");
        // evidence overlapping [+500 s, +3650 s]
        String since = QueryFixture.T0.plusSeconds(500).toString();
        String until = QueryFixture.T0.plusSeconds(3650).toString();
        assertThat(ids(get("/incidents?since=" + since + "&until=" + until).json())).containsExactly("d", "b", "a");
        long sinceMs = QueryFixture.T0.plusSeconds(7000).toEpochMilli();
        assertThat(ids(get("/incidents?since=" + sinceMs).json())).containsExactly("f");
        assertThat(ids(get("/incidents?host=nobody").json())).isEmpty();
        // an empty value is no filter, as in ?host=&limit=2
        assertThat(ids(get("/incidents?host=&limit=2").json())).containsExactly("f", "d");
    }

    @Test
    void pagesWithTheCursorNeitherRepeatNorSkipEvenWhenNewIncidentsArrive() throws Exception {
        fleet();
        List<String> seen = new ArrayList<>();
        JsonNode page = get("/incidents?limit=3").json();
        seen.addAll(ids(page));
        assertThat(ids(page)).containsExactly("f", "d", "b");
        // a newer incident arrives while paging: it belongs on top, not on the next page
        api.add(incident("h", 1, "slave-141", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 9000, 9100));
        int pages = 1;
        while (!page.path("nextCursor").isNull()) {
            page = get("/incidents?limit=3&cursor=" + page.path("nextCursor").asText()).json();
            seen.addAll(ids(page));
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("f", "d", "b", "a", "c", "e", "g");
        // filters apply on every page
        JsonNode first = get("/incidents?limit=1&cause=MEMORY_FRAGMENTATION").json();
        JsonNode second = get("/incidents?limit=1&cause=MEMORY_FRAGMENTATION&cursor="
                + first.path("nextCursor").asText()).json();
        assertThat(ids(first)).containsExactly("h");
        assertThat(ids(second)).containsExactly("b");
    }

    @Test
    void oneIncidentComesWithAllItsEvidenceAndAnUnknownIdIs404() throws Exception {
        fleet();
        Answer answer = get("/incidents/a");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode a = answer.json();
        assertThat(a.path("revision").asInt()).isEqualTo(2);
        assertThat(a.path("kernelEvents").get(0).path("allocation").path("order").asInt()).isEqualTo(6);
        assertThat(a.path("runtimeFailures").get(0).path("kind").asText()).isEqualTo("SANDBOX_FAILURE");
        assertThat(a.path("affectedPods").get(0).path("pod").asText()).isEqualTo("matchdataserver-1255064836-t4b2w");
        assertThat(a.path("remediation")).isNotEmpty();

        Answer unknown = get("/incidents/no-such-incident");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("no incident no-such-incident");
        assertThat(get("/incidents/a%2Fb").status()).isEqualTo(404);
        assertThat(get("/nowhere").status()).isEqualTo(404);
        assertThat(get("/nowhere").json().path("error").asText()).startsWith("no such path");
    }

    @Test
    void aHostsEventsComeOldestFirstWithinTheRangeAndTruncatedToTheLimit() throws Exception {
        api = new QueryFixture(stateDir, Optional.empty(), null);
        api.add(QueryFixture.sandboxFailure("slave-138", 1)).add(QueryFixture.kernelEvent("slave-138", 0))
                .add(QueryFixture.kernelEvent("slave-138", 120)).add(QueryFixture.sandboxFailure("slave-139", 0));

        JsonNode all = get("/hosts/slave-138/events").json();
        assertThat(all.path("host").asText()).isEqualTo("slave-138");
        List<String> seen = new ArrayList<>();
        all.path("events").forEach(e -> seen.add(e.path("source").asText() + "@+"
                + (e.path("timeMicros").asLong() / 1_000_000 - QueryFixture.T0.getEpochSecond())));
        assertThat(seen).containsExactly("kernel@+0", "runtime@+1", "kernel@+120");
        assertThat(all.path("truncated").asBoolean()).isFalse();
        assertThat(all.path("events").get(0).path("allocation").path("order").asInt()).isEqualTo(6);

        JsonNode range = get("/hosts/slave-138/events?since=" + QueryFixture.T0.plusSeconds(1) + "&until="
                + QueryFixture.T0.plusSeconds(119)).json();
        assertThat(range.path("events")).singleElement()
                .satisfies(e -> assertThat(e.path("kind").asText()).isEqualTo("SANDBOX_FAILURE"));
        JsonNode limited = get("/hosts/slave-138/events?limit=2").json();
        assertThat(limited.path("events")).hasSize(2);
        assertThat(limited.path("truncated").asBoolean()).isTrue();
        assertThat(get("/hosts/unknown-host/events").json().path("events")).isEmpty();
    }

    @Test
    void badParametersAre400WithAJsonErrorNamingTheParameter() throws Exception {
        fleet();
        for (String[] bad : new String[][] {
                {"/incidents?limit=0", "limit"},
                {"/incidents?limit=1001", "limit"},
                {"/incidents?limit=ten", "limit"},
                {"/incidents?cause=FRAGMENTATION", "cause"},
                {"/incidents?status=CLOSED", "status"},
                {"/incidents?since=yesterday", "since"},
                {"/incidents?since=2017-11-12T08:00:00Z&until=2017-11-12T07:00:00Z", "until"},
                {"/incidents?cursor=not-a-cursor", "cursor"},
                {"/incidents?hots=slave-138", "hots"},
                {"/incidents?host=a&host=b", "host"},
                {"/incidents/a?verbose=1", "verbose"},
                {"/hosts/slave-138/events?limit=100000", "limit"}}) {
            Answer answer = get(bad[0]);
            assertThat(answer.status()).as(bad[0]).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/json");
            assertThat(answer.json().path("status").asInt()).isEqualTo(400);
            assertThat(answer.json().path("error").asText()).as(bad[0]).contains(bad[1]);
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/incidents"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void withATokenEveryPathButTheProbesNeedsIt() throws Exception {
        api = new QueryFixture(stateDir, Optional.of("s3cret"), () -> "up 1\n");
        api.add(incident("a", 1, "slave-138", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 0, 60));
        for (String path : List.of("/incidents", "/incidents/a", "/hosts/slave-138/events", "/openapi.json",
                "/metrics")) {
            Answer none = get(path);
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.json().path("error").asText()).contains("bearer token");
            assertThat(get(path, "Authorization", "Bearer s3cre").status()).as(path).isEqualTo(401);
            assertThat(get(path, "Authorization", "Basic s3cret").status()).as(path).isEqualTo(401);
            assertThat(get(path, "Authorization", "Bearer s3cret").status()).as(path).isEqualTo(200);
        }
        assertThat(get("/health").status()).isEqualTo(200);
        assertThat(get("/ready").status()).isEqualTo(200);
    }

    @Test
    void theConsoleSendsABrowserToSignInAndTakesTheTokenFromItsCookieWhichTheApiDoesNot() throws Exception {
        api = new QueryFixture(stateDir, Optional.of("s3 cret"), null);
        api.add(incident("a", 1, "slave-138", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 0, 60));
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/console?host=slave-138"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(303);
        assertThat(none.headers().firstValue("Location")).hasValue("/console/sign-in?next=%2Fconsole%3Fhost%3Dslave-138");
        Answer signIn = get("/console/sign-in?next=%2Fconsole");
        assertThat(signIn.status()).isEqualTo(200);
        assertThat(signIn.contentType()).startsWith("text/html");
        assertThat(signIn.body()).contains("id=\"sign-in\"").doesNotContain("That token was not accepted");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/console/incidents/a"))
                .header("Cookie", "nodeincidents_token=s3cre").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("refused=1"));
        assertThat(get("/console/sign-in?refused=1").body()).contains("That token was not accepted");
        assertThat(get("/console", "Cookie", "nodeincidents_token=%zz").status()).isEqualTo(303);

        Answer signedIn = get("/console/incidents/a", "Cookie", "other=1; nodeincidents_token=s3%20cret");
        assertThat(signedIn.status()).isEqualTo(200);
        assertThat(signedIn.body()).contains("MEMORY_FRAGMENTATION on slave-138");
        assertThat(get("/console", "Authorization", "Bearer s3 cret").status()).isEqualTo(200);
        // the sign-in page's script and style come without a token
        assertThat(get("/console/assets/console.js").status()).isEqualTo(200);
        // a cookie is no key to the API: another site's page could make a signed-in browser send it
        assertThat(get("/incidents/a", "Cookie", "nodeincidents_token=s3%20cret").status()).isEqualTo(401);
    }

    @Test
    void healthIsTheProcessReadyIsKafkaStreamsRunning() throws Exception {
        api = new QueryFixture(stateDir, Optional.empty(), null);
        assertThat(get("/health").json().path("status").asText()).isEqualTo("UP");
        assertThat(get("/ready").status()).isEqualTo(200);
        api.ready(false, "REBALANCING");
        Answer rebalancing = get("/ready");
        assertThat(rebalancing.status()).isEqualTo(503);
        assertThat(rebalancing.json().path("status").asText()).isEqualTo("REBALANCING");
        assertThat(get("/health").status()).isEqualTo(200);
    }

    @Test
    void metricsAreThePrometheusTextOfTheSupplierOr404WithoutOne() throws Exception {
        api = new QueryFixture(stateDir, Optional.empty(), null);
        assertThat(get("/metrics").status()).isEqualTo(404);
        api.close();
        api = new QueryFixture(stateDir.resolve("2"), Optional.empty(),
                () -> "# TYPE nodeincidents_incidents_total counter\nnodeincidents_incidents_total 4.0\n");
        Answer metrics = get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("nodeincidents_incidents_total 4.0");
    }

    @Test
    void theOpenApiDocumentDescribesExactlyThePathsServed() throws Exception {
        fleet();
        JsonNode doc = get("/openapi.json").json();
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> it = doc.path("paths").fieldNames(); it.hasNext(); ) {
            documented.add(it.next());
        }
        assertThat(documented).isEqualTo(new TreeSet<>(QueryServer.PATHS));
        for (String path : QueryServer.PATHS) {
            assertThat(doc.path("paths").path(path).has("get")).as(path).isTrue();
            // each is served: a concrete request is routed (an unknown id is "no incident", not "no such path")
            Answer answer = get(path.replace("{id}", "a").replace("{host}", "slave-138"));
            assertThat(answer.body()).as(path).doesNotContain("no such path");
        }
        // every parameter the server accepts is documented, and no other
        Set<String> listParams = new TreeSet<>();
        doc.path("paths").path("/incidents").path("get").path("parameters")
                .forEach(p -> listParams.add(p.path("name").asText()));
        assertThat(listParams).isEqualTo(new TreeSet<>(IncidentQuery.PARAMETERS));
        Set<String> eventParams = new TreeSet<>();
        doc.path("paths").path("/hosts/{host}/events").path("get").path("parameters")
                .forEach(p -> eventParams.add(p.path("name").asText()));
        eventParams.remove("host");
        assertThat(eventParams).isEqualTo(new TreeSet<>(EventQuery.PARAMETERS));
    }
}
