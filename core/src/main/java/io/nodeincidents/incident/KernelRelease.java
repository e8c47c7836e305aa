package io.nodeincidents.incident;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a kernel release string ({@code uname -r}, e.g. 3.10.0-514.el7.x86_64) the remediation depends on.
 *
 * @param text  the release as reported, or null when unknown
 * @param major major version, -1 when unknown
 * @param minor minor version, -1 when unknown
 */
public record KernelRelease(String text, int major, int minor) {

    private static final Pattern VERSION = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})");

    public static KernelRelease parse(String text) {
        if (text == null) {
            return new KernelRelease(null, -1, -1);
        }
        Matcher m = VERSION.matcher(text.strip());
        if (!m.find()) {
            return new KernelRelease(text, -1, -1);
        }
        return new KernelRelease(text, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean known() {
        return major >= 0;
    }

    /** True when known and older than major.minor. */
    public boolean olderThan(int maj, int min) {
        return known() && (major < maj || (major == maj && minor < min));
    }

    /** True when known and at least major.minor. */
    public boolean atLeast(int maj, int min) {
        return known() && !olderThan(maj, min);
    }

    /** A Red Hat family kernel (RHEL, CentOS, Rocky, Alma ...) of the given major release, from the .elN tag. */
    boolean isEnterpriseLinux(int release) {
        return text != null && text.contains(".el" + release);
    }
}
