package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.ConfigHelp;
import io.nodeincidents.config.ConfigSources;
import io.nodeincidents.config.DocumentedOptions;
import io.nodeincidents.config.Redaction;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** What every nodeincidents command line does the same way, whichever image or jar it runs from. */
public final class CommandLines {

    /** Failed at run time: the command was right, the world was not (broker down, port taken, I/O error). */
    public static final int EXIT_FAILED = 1;
    /** Usage or configuration error: the command itself must change. */
    public static final int EXIT_USAGE = 2;
    /** The global option that adds the stack trace to an error. */
    public static final String VERBOSE = "--verbose";

    private CommandLines() {
    }

    /**
     * A command line for {@code root}: every error is one line on stderr, exit 2 for usage and configuration errors
     * and 1 for failures at run time, with the stack trace only under {@value #VERBOSE} (an option of every
     * command); each command's ConfigDef-declared options are printed under its {@code --help}.
     */
    public static CommandLine create(Object root) {
        CommandLine cli = new CommandLine(root);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true);
        cli.getCommandSpec().addOption(OptionSpec.builder(VERBOSE).scopeType(ScopeType.INHERIT)
                .description("On an error, print its stack trace too.").build());
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            report(cmd, e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')",
                    Arrays.asList(args).contains(VERBOSE) ? e : null);
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CommandFailure failure) {
                report(cmd, failure.getMessage(), verbose(parsed) ? failure.getCause() : null);
                return failure.exitCode();
            }
            report(cmd, describe(e), verbose(parsed) ? e : null);
            return isUsageError(e) ? EXIT_USAGE : EXIT_FAILED;
        });
        documentDeclaredOptions(cli);
        return cli;
    }

    /**
     * A failure the command has put into words: its message is the line printed (without the command's name, which
     * the handler adds), its cause the trace {@value #VERBOSE} adds.
     */
    public static final class CommandFailure extends RuntimeException {
        private final int exitCode;

        public CommandFailure(int exitCode, String message, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * What went wrong, on one line: the message and those of its causes that add something, since wrappers such
     * as Kafka's "Failed to construct kafka consumer" only name the step while the cause says why. Credentials a
     * message quotes (a registry URL's password) are masked.
     */
    public static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        String joined = "";
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null || t.getMessage().isBlank()
                    ? (t == e || parts.isEmpty() ? t.getClass().getSimpleName() : null) : t.getMessage();
            if (message != null && !joined.contains(message)) {
                parts.add(message);
                joined = String.join(": ", parts);
            }
        }
        return Redaction.text(oneLine(joined));
    }

    /** {@code text} with its line breaks as spaces, so an error stays one line however its message was written. */
    public static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** Usage and configuration errors: the invocation or its settings are wrong, running it again will not help. */
    static boolean isUsageError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // Kafka's clients wrap a bad setting ("Failed to construct kafka producer" caused by ConfigException)
            if (t instanceof ConfigSources.ConfigException || t instanceof org.apache.kafka.common.config.ConfigException
                    || t instanceof CommandLine.ParameterException) {
                return true;
            }
        }
        return false;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line on stderr, named as the commands name themselves in their own messages ({@code correlate: ...},
     * {@code query incidents: ...}; {@code nodeincidents: ...} for the command line as a whole), with the trace of
     * {@code trace} after it when there is one.
     */
    private static void report(CommandLine cmd, String line, Throwable trace) {
        PrintWriter err = cmd.getErr();
        List<String> names = new ArrayList<>();
        for (CommandLine level = cmd; level != null; level = level.getParent()) {
            names.add(0, level.getCommandName());
        }
        String name = names.size() == 1 ? names.get(0) : String.join(" ", names.subList(1, names.size()));
        err.println(cmd.getColorScheme().errorText(Redaction.text(oneLine(name + ": " + line))));
        if (trace != null) {
            // the trace as printed, masked line by line: messages in it quote settings too
            java.io.StringWriter text = new java.io.StringWriter();
            trace.printStackTrace(new PrintWriter(text));
            err.print(Redaction.text(text.toString()));
        }
        err.flush();
    }

    private static void documentDeclaredOptions(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommand() instanceof DocumentedOptions documented) {
                // picocli formats footer lines (String.format): a % in a setting's documentation is text
                sub.getCommandSpec().usageMessage().footer(ConfigHelp.lines(documented.optionDefinitions()).stream()
                        .map(line -> line.replace("%", "%%")).toArray(String[]::new));
            }
            documentDeclaredOptions(sub);
        }
    }
}
