package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.ConfigHelp;
import io.nodeincidents.config.DocumentedOptions;
import picocli.CommandLine;

/** What every nodeincidents command line does the same way, whichever image or jar it runs from. */
public final class CommandLines {

    private CommandLines() {
    }

    /**
     * A command line for {@code root}: usage errors exit with 2 (1 stays for failures at run time), and each
     * command's ConfigDef-declared options are printed under its {@code --help}.
     */
    public static CommandLine create(Object root) {
        CommandLine cli = new CommandLine(root);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(cmd.getColorScheme().errorText("nodeincidents: " + e.getMessage()));
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        documentDeclaredOptions(cli);
        return cli;
    }

    private static void documentDeclaredOptions(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommand() instanceof DocumentedOptions documented) {
                sub.getCommandSpec().usageMessage()
                        .footer(ConfigHelp.lines(documented.optionDefinitions()).toArray(String[]::new));
            }
            documentDeclaredOptions(sub);
        }
    }
}
