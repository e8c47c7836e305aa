package io.nodeincidents.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.demo.ServedDemo;
import io.nodeincidents.testkit.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

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

        // the timeline's evidence opens to the raw record
        WebElement first = browser.findElement(By.cssSelector("#timeline li summary"));
        first.click();
        assertThat(browser.findElement(By.cssSelector("#timeline li pre")).isDisplayed()).isTrue();

        // the host: its incidents, its memory forecast with the hour of samples drawn, its events
        browser.findElement(By.id("host-link")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/hosts/"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("slave-138");
        assertThat(browser.findElement(By.id("risk")).getText()).contains("FRAGMENTATION_RISK at order 6");
        assertThat(browser.findElements(By.cssSelector("#host-incidents tbody tr")))
                .anySatisfy(row -> assertThat(row.getText()).contains("FRAGMENTATION_RISK"))
                .anySatisfy(row -> assertThat(row.getText()).contains("MEMORY_FRAGMENTATION"));
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
        screenshot("fleet.png");
        noConsoleErrors();
        hosts.get(3).findElement(By.tagName("a")).click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/hosts/"));
        assertThat(browser.findElement(By.id("risk")).getText()).contains("No order at risk");
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

        browser.get(base + "/console?status=NOT_A_STATUS");
        assertThat(browser.findElement(By.cssSelector(".error")).getText()).contains("The query failed");
    }

    private static void screenshot(String name) throws Exception {
        Files.write(SHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static void noConsoleErrors() {
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as(errors.stream().map(LogEntry::getMessage).collect(Collectors.joining("\n"))).isEmpty();
    }
}
