package io.nodeincidents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class NodeIncidentsCommandTest {

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        Map<String, CommandLine> commands = NodeIncidentsCommand.commandLine().getSubcommands();
        assertThat(commands).isNotEmpty();
        for (String name : commands.keySet()) {
            if (name.equals("help")) {
                continue;
            }
            CommandRun help = run(name, "--help");
            assertThat(help.exitCode()).as("%s --help exit code", name).isZero();
            assertThat(help.out()).as("%s --help", name).contains("Usage: nodeincidents " + name)
                    .contains("-h, --help");
            assertThat(commands.get(name).getCommandSpec().usageMessage().description())
                    .as("%s has a description", name).isNotEmpty();
        }
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CommandRun help = run("--help");
        assertThat(help.exitCode()).isZero();
        for (String name : NodeIncidentsCommand.commandLine().getSubcommands().keySet()) {
            assertThat(help.out()).contains(name);
        }
    }

    @Test
    void noCommandIsAUsageErrorWithExitCode2() {
        CommandRun none = run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing command").contains("--help");
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithExitCode2() {
        CommandRun unknown = run("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("frobnicate");
    }

    @Test
    void versionNamesKafka() {
        CommandRun version = run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(List.of(version.out().split("\n"))).anySatisfy(line -> assertThat(line).contains("Kafka 4.3.1"));
    }
}
