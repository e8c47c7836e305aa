package io.nodeincidents.output;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * Logger levels for one command over logback.xml: a command whose setting makes a framework warning moot (analyze's
 * temporary state directory, the demo's in-process broker) names those loggers in {@code /logging/COMMAND.xml}, so
 * the levels stay configuration and the other commands keep the warnings.
 */
public final class CommandLogging {

    private CommandLogging() {
    }

    /** Applies {@code /logging/<command>.xml} on top of the levels in place; nothing when there is no such file. */
    public static void apply(String command) {
        URL levels = CommandLogging.class.getResource("/logging/" + command + ".xml");
        if (levels == null || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // not run on logback (embedded elsewhere): that configuration decides
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(levels);
        } catch (JoranException e) {
            // the levels stay as logback.xml set them: more output, nothing lost
        }
    }
}
