package io.nodeincidents.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.nodeincidents.demo.ServedDemo;
import io.nodeincidents.query.EventList;
import io.nodeincidents.query.EventQuery;
import io.nodeincidents.query.IncidentPage;
import io.nodeincidents.query.IncidentQuery;
import io.nodeincidents.query.QueryBackend;
import io.nodeincidents.query.QueryServer;
import io.nodeincidents.testkit.RequiredTools;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The incident console in a real headless Chromium against {@code demo --serve}: each page loads without browser
 * console errors, the list's links and filters work, slave-138's page draws one bar per order of its zones' free lists
 * with order 6 marked; screenshots land in target/console-screenshots for a person to look at.
 */
class ConsoleInBrowserTest {

    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private static ServedDemo demo;
    private static String base;
    private static ChromeDriver browser;

    @BeforeAll
    static void serveTheDemoAndOpenABrowser() throws Exception {
        Path[] chromium = RequiredTools.chromium();
        demo = ServedDemo.start();
        base = demo.api().toString();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium[0].toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromium[1].toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 1000));
        Files.createDirectories(SHOTS);
    }

    @BeforeEach
    void forgetWhatTheBrowserLoggedBefore() {
        browser.manage().logs().get(LogType.BROWSER);
    }

    @AfterAll
    static void closeAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void theListLinksToSlave138sIncidentWhosePageDrawsItsBuddyListsWithOrder6Marked() throws Exception {
        browser.get(base + "/console?host=slave-138");
        assertThat(browser.getTitle()).contains("Incidents");
        List<WebElement> rows = browser.findElements(By.cssSelector("#incidents tbody tr"));
        assertThat(rows).isNotEmpty();
        assertThat(rows).allSatisfy(row -> assertThat(row.getText()).contains("slave-138"));
        screenshot("incidents-slave-138.png");
        noConsoleErrors();

        WebElement failure = rows.stream().filter(row -> row.getText().contains("MEMORY_FRAGMENTATION")).findFirst()
                .orElseThrow();
        failure.findElement(By.cssSelector("a[href*='/console/incidents/']")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/incidents/"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("MEMORY_FRAGMENTATION on slave-138");
        assertThat(browser.findElement(By.id("diagnosis")).getText()).contains("order 6", "nf_conntrack");
        assertThat(browser.findElements(By.cssSelector("#timeline li"))).hasSizeGreaterThan(1);
        List<WebElement> charts = browser.findElements(By.cssSelector(".buddy-chart"));
        assertThat(charts).isNotEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> charts.stream().allMatch(c -> "true".equals(c.getAttribute("data-drawn"))));
        WebElement normal = charts.stream().filter(c -> c.getAttribute("data-zone").endsWith("Normal")).findFirst()
                .orElseThrow();
        // one bar per order the kernel printed (11 on x86_64), the failed order marked
        Object bars = ((JavascriptExecutor) browser).executeScript(
                "return arguments[0].chart.data[1].length;", normal);
        assertThat(((Number) bars).intValue()).isEqualTo(11);
        assertThat(normal.getAttribute("data-failed-order")).isEqualTo("6");
        assertThat(normal.findElements(By.tagName("canvas"))).isNotEmpty();
        Files.write(SHOTS.resolve("buddy-chart-slave-138.png"), normal.getScreenshotAs(OutputType.BYTES));
        browser.manage().window().setSize(new Dimension(1280, 2600));
        screenshot("incident-slave-138.png");
        browser.manage().window().setSize(new Dimension(1280, 1000));
        noConsoleErrors();

        // one time axis: the forecast's warning first, then the evidence and the fleet alert naming the incident
        List<WebElement> items = browser.findElements(By.cssSelector("#timeline > li"));
        assertThat(items.get(0).getAttribute("class")).isEqualTo("source-forecast");
        assertThat(items.get(0).getText()).contains("FRAGMENTATION_RISK", "order 6", "min before");
        assertThat(items.get(0).findElement(By.tagName("a")).getAttribute("href")).contains("/console/incidents/");
        assertThat(items).anySatisfy(item -> assertThat(item.getText()).contains("FLEET MEMORY_FRAGMENTATION",
                "3 hosts"));
        // a kernel report opens to the lines it was read from and where to find them on the host
        WebElement report = items.stream().filter(item -> item.getText().contains("order-6 allocation failed"))
                .findFirst().orElseThrow();
        report.findElement(By.tagName("summary")).click();
        WebElement lines = report.findElement(By.cssSelector("pre.lines"));
        assertThat(lines.isDisplayed()).isTrue();
        assertThat(lines.getText()).startsWith("exe: page allocation failure: order:6").contains("Node 0 Normal");
        assertThat(report.findElement(By.cssSelector(".refs")).getText()).contains("journalctl --cursor='s=");
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView();", report);
        Files.write(SHOTS.resolve("incident-slave-138-evidence-open.png"), browser.getScreenshotAs(OutputType.BYTES));
        // from a fresh page the keyboard's first stop skips the navigation
        browser.navigate().refresh();
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");

        // the host: its incidents, its memory forecast with the hour of samples drawn, its events
        browser.findElement(By.id("host-link")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/hosts/"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("slave-138");
        assertThat(browser.findElement(By.id("risk")).getText()).contains("FRAGMENTATION_RISK at order 6");
        assertThat(browser.findElements(By.cssSelector("#host-incidents tbody tr")))
                .anySatisfy(row -> assertThat(row.getText()).contains("FRAGMENTATION_RISK"))
                .anySatisfy(row -> assertThat(row.getText()).contains("MEMORY_FRAGMENTATION"));
        WebElement events = browser.findElement(By.cssSelector(".events-chart"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "true".equals(events.getAttribute("data-drawn")));
        assertThat(Integer.parseInt(events.getAttribute("data-points"))).isPositive();
        WebElement samples = browser.findElement(By.cssSelector(".samples-chart"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "true".equals(samples.getAttribute("data-drawn")));
        assertThat(Integer.parseInt(samples.getAttribute("data-points"))).isBetween(100, 121);
        assertThat(browser.findElements(By.cssSelector("#events li"))).isNotEmpty();
        browser.manage().window().setSize(new Dimension(1280, 2200));
        screenshot("host-slave-138.png");
        browser.manage().window().setSize(new Dimension(1280, 1000));
        noConsoleErrors();
    }

    @Test
    void theFleetPageRanksTheFragmentingHostsFirstAndCountsIncidentsByCause() throws Exception {
        browser.get(base + "/console/fleet");
        List<WebElement> hosts = browser.findElements(By.cssSelector("#fleet-memory tbody tr"));
        assertThat(hosts).hasSize(6);
        assertThat(hosts.subList(0, 3)).allSatisfy(row -> assertThat(row.getText()).startsWith("slave-")
                .contains("AT RISK"));
        assertThat(hosts.subList(3, 6)).noneSatisfy(row -> assertThat(row.getText()).contains("AT RISK"));
        assertThat(browser.findElement(By.id("by-cause")).getText()).contains("MEMORY_FRAGMENTATION 3",
                "CGROUP_OOM 1", "FRAGMENTATION_RISK 3");
        List<WebElement> alerts = browser.findElements(By.cssSelector("#fleet-alerts tbody tr"));
        assertThat(alerts).hasSize(2);
        WebElement fragmentation = alerts.stream().filter(row -> row.getText().contains("MEMORY_FRAGMENTATION"))
                .findFirst().orElseThrow();
        assertThat(fragmentation.getText()).contains("slave-138", "slave-139", "slave-141", "3.10.0-514.el7.x86_64");
        fragmentation.findElement(By.linkText("slave-139")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/incidents/"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("MEMORY_FRAGMENTATION on slave-139");
        browser.navigate().back();
        hosts = browser.findElements(By.cssSelector("#fleet-memory tbody tr"));
        browser.manage().window().setSize(new Dimension(1280, 1500));
        screenshot("fleet.png");
        browser.manage().window().setSize(new Dimension(1280, 1000));
        noConsoleErrors();
        hosts.get(3).findElement(By.tagName("a")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/hosts/"));
        assertThat(browser.findElement(By.id("risk")).getText()).contains("No order at risk");
        noConsoleErrors();
    }

    @Test
    void anOomKillShowsItsTaskTableInKilobytesWithTheVictimMarked() throws Exception {
        browser.get(base + "/console?cause=CGROUP_OOM");
        browser.findElement(By.cssSelector("#incidents a[href*='/console/incidents/']")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/incidents/"));
        WebElement table = browser.findElement(By.cssSelector(".task-table"));
        assertThat(table.findElements(By.cssSelector("tbody tr"))).hasSize(3);
        WebElement victim = table.findElement(By.cssSelector("tr.victim"));
        // the kernel printed rss 64577 (pages): 258308 kB
        assertThat(victim.getText()).contains("26675", "258308", "java", "(killed)");
        assertThat(browser.findElements(By.cssSelector(".task-table tr.victim"))).hasSize(1);
        browser.manage().window().setSize(new Dimension(1280, 1800));
        screenshot("incident-oom.png");
        browser.manage().window().setSize(new Dimension(1280, 1000));
        noConsoleErrors();
    }

    @Test
    void onAPhoneTheIncidentPageFitsTheScreenWidth() throws Exception {
        browser.get(base + "/console?host=slave-138&cause=MEMORY_FRAGMENTATION");
        String incident = browser.findElement(By.cssSelector("#incidents a[href*='/console/incidents/']"))
                .getAttribute("href");
        try {
            browser.manage().window().setSize(new Dimension(390, 844));
            for (String page : List.of(base + "/console", incident, base + "/console/hosts/slave-138",
                    base + "/console/fleet")) {
                browser.get(page);
                Object overflow = ((JavascriptExecutor) browser).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                Object wide = ((JavascriptExecutor) browser).executeScript("var w = document.documentElement"
                        + ".clientWidth; return Array.from(document.querySelectorAll('body *')).filter(function (e) {"
                        + " return e.getBoundingClientRect().right > w + 1; }).slice(0, 5).map(function (e) {"
                        + " return e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right);"
                        + " }).join(', ');");
                assertThat(((Number) overflow).intValue()).as(page + " too wide: " + wide).isLessThanOrEqualTo(0);
            }
            browser.get(incident);
            screenshot("incident-slave-138-phone.png");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
        noConsoleErrors();
    }

    @Test
    void filtersNarrowTheListAndAnUnknownIncidentSaysSo() throws Exception {
        browser.get(base + "/console");
        WebElement cause = browser.findElement(By.name("cause"));
        cause.sendKeys("CGROUP_OOM");
        cause.submit();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("cause="));
        List<WebElement> rows = browser.findElements(By.cssSelector("#incidents tbody tr"));
        assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row.getText()).contains("CGROUP_OOM"));
        noConsoleErrors();

        browser.get(base + "/console");
        new Select(browser.findElement(By.name("severity"))).selectByValue("WARNING");
        browser.findElement(By.cssSelector(".filters button")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("severity="));
        List<WebElement> warnings = browser.findElements(By.cssSelector("#incidents tbody tr"));
        assertThat(warnings).hasSize(3).allSatisfy(row -> assertThat(row.getText()).contains("FRAGMENTATION_RISK"));
        assertThat(new Select(browser.findElement(By.name("severity"))).getFirstSelectedOption().getText())
                .isEqualTo("WARNING");
        noConsoleErrors();

        browser.get(base + "/console?status=NOT_A_STATUS");
        assertThat(browser.findElement(By.cssSelector(".error")).getText()).contains("The query failed");
        browser.get(base + "/console?since=yesterday-ish");
        assertThat(browser.findElement(By.cssSelector(".error")).getText()).contains("since");
    }

    @Test
    void withATokenTheBrowserSignsInOnceWhileTheApiStillWantsTheHeader() throws Exception {
        QueryBackend empty = new QueryBackend() {
            @Override
            public IncidentPage incidents(IncidentQuery query, boolean localOnly) {
                return new IncidentPage(List.of(), false);
            }

            @Override
            public Optional<JsonNode> incident(String incidentId, boolean localOnly) {
                return Optional.empty();
            }

            @Override
            public EventList events(String host, EventQuery query, boolean localOnly) {
                return new EventList(host, List.of(), false);
            }

            @Override
            public Optional<JsonNode> hostMemory(String host, boolean localOnly) {
                return Optional.empty();
            }

            @Override
            public JsonNode fleetMemory(int limit) {
                return JsonNodeFactory.instance.objectNode();
            }

            @Override
            public JsonNode fleetAlerts(int limit, String incidentId) {
                return JsonNodeFactory.instance.objectNode();
            }

            @Override
            public Readiness readiness() {
                return new Readiness(true, "RUNNING");
            }
        };
        try (QueryServer server = QueryServer.bind(new InetSocketAddress("127.0.0.1", 0), Optional.of("s3 cret"),
                null).start(empty)) {
            String url = "http://127.0.0.1:" + server.address().getPort();
            browser.get(url + "/console/fleet");
            assertThat(browser.getCurrentUrl()).contains("/console/sign-in?next=");
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in");
            screenshot("sign-in.png");
            browser.findElement(By.id("token")).sendKeys("s3cret" + Keys.ENTER);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    !browser.findElements(By.cssSelector("p.error")).isEmpty());
            assertThat(browser.findElement(By.cssSelector("p.error")).getText()).contains("not accepted");

            browser.findElement(By.id("token")).sendKeys("s3 cret" + Keys.ENTER);
            // back where it was asked for
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    browser.findElement(By.tagName("h1")).getText().equals("Fleet"));
            assertThat(browser.getCurrentUrl()).isEqualTo(url + "/console/fleet");
            browser.get(url + "/console");
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Incidents");
            noConsoleErrors();
            // the cookie opens the console, not the API
            browser.get(url + "/incidents");
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("bearer token");
            // a JSON answer is no console page: what the browser logged for it (its 401, a favicon) is not ours
            browser.manage().logs().get(LogType.BROWSER);
        } finally {
            browser.manage().deleteAllCookies();
        }
    }

    private static void screenshot(String name) throws Exception {
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0);");
        Files.write(SHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static void noConsoleErrors() {
        noConsoleErrorsBut(null);
    }

    private static void noConsoleErrorsBut(String expected) {
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(entry -> expected == null || !entry.getMessage().contains(expected)).toList();
        assertThat(errors).as(errors.stream().map(LogEntry::getMessage).collect(Collectors.joining("\n"))).isEmpty();
    }
}
