package io.nodeincidents.cli;

import picocli.CommandLine;

/** {@code --version}: the version Maven wrote into the jar's manifest. */
public final class ManifestVersion implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = NodeIncidentsCommand.class.getPackage().getImplementationVersion();
        return new String[] {"nodeincidents " + (version == null ? "(development build)" : version),
            "Java " + System.getProperty("java.version") + ", Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion()};
    }
}
