package io.nodeincidents.incident;

/** Memory sizes as people read them in a diagnosis. */
final class Sizes {

    private Sizes() {
    }

    /** kB as whole MiB (rounded down) when at least 1 MiB, else as kB: 311184 kB is "303 MiB". */
    static String kb(long kb) {
        if (kb >= 1024) {
            return kb / 1024 + " MiB";
        }
        return kb + " kB";
    }

    /** Size of a buddy block of {@code order} with 4 kB pages: order 5 is "128 kB", order 9 is "2 MiB". */
    static String block(int order) {
        if (order < 0 || order > 30) {
            return "?";
        }
        return kb(4L << order);
    }

    static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** Untrusted text (task names, cgroup paths) bounded for a readable paragraph. */
    static String clip(String s, int max) {
        if (s == null) {
            return "?";
        }
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
