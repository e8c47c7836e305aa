package io.nodeincidents.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The single-line runtime and kubelet patterns, as data: which lines report which {@link FailureKind}, which
 * look-alikes report none, what in an error chain is evidence of memory trouble, and which journal identifiers and
 * units belong to which {@link RuntimeComponent}. The bundled file ({@value #BUNDLED}) is the default; an operator's
 * file extends it (new rules are tried first) or overrides it (a rule with a bundled rule's name replaces it,
 * {@code "enabled": false} removes it).
 *
 * <p>Every rule has a {@code contains} list: a line is tested against a regex only when it holds one of those
 * substrings. Regexes run on at most {@link #MAX_REGEX_INPUT} characters with a step budget, so a pathological user
 * pattern costs a bounded amount of time per line and counts as no match.
 */
public final class RuntimeRules {

    /** The bundled rules, a classpath resource beside this class. */
    public static final String BUNDLED = "runtime-rules.json";
    static final int MAX_REGEX_INPUT = 16 * 1024;
    static final int MAX_REGEX_STEPS = 200_000;
    private static final Set<String> RULE_KEYS = Set.of("name", "kind", "contains", "alsoContains", "notContains",
            "regex", "doc", "enabled");
    private static final Set<String> EVIDENCE_KEYS = Set.of("name", "contains", "alsoContains", "notContains", "regex",
            "doc", "enabled");
    private static final Set<String> COMPONENT_KEYS = Set.of("name", "component", "identifiers", "units", "doc",
            "enabled");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile RuntimeRules bundled;

    /** A rule that decides what a line reports: a failure kind, or (kind null) that it reports none. */
    public record Rule(String name, FailureKind kind, Needles contains, Needles alsoContains,
                       Needles notContains, Pattern regex) {

        boolean matches(String line) {
            return contains.foundIn(line) && (alsoContains.isEmpty() || alsoContains.foundIn(line))
                    && !notContains.foundIn(line) && (regex == null || find(regex, line));
        }
    }

    /** Text in an error chain that shows memory trouble. */
    public record MemoryEvidence(String name, Needles contains, Needles alsoContains, Needles notContains,
                                 Pattern regex) {

        boolean shownBy(String text) {
            return contains.foundIn(text) && (alsoContains.isEmpty() || alsoContains.foundIn(text))
                    && !notContains.foundIn(text) && (regex == null || find(regex, text));
        }
    }

    /** Journal identifiers ({@code SYSLOG_IDENTIFIER}, prefix match) and unit prefixes of one component. */
    public record ComponentMatch(String name, RuntimeComponent component, List<String> identifiers,
                                 List<String> units) {
    }

    private final List<Rule> rules;
    private final List<MemoryEvidence> memoryEvidence;
    private final List<ComponentMatch> components;
    private static final int MAX_REMEMBERED_IDENTIFIERS = 1024;
    private final java.util.concurrent.ConcurrentHashMap<String, Optional<RuntimeComponent>> componentByIdentifier =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** group 0: the failure rules' substrings; 1: the memory evidence's; 2: lines that name the pod of what follows */
    private final Needles gate;

    private RuntimeRules(List<Rule> rules, List<MemoryEvidence> memoryEvidence, List<ComponentMatch> components) {
        this.rules = List.copyOf(rules);
        this.memoryEvidence = List.copyOf(memoryEvidence);
        this.components = List.copyOf(components);
        this.gate = Needles.grouped(List.of(
                Needles.union(this.rules.stream().filter(r -> r.kind() != null).map(Rule::contains).toList()),
                Needles.union(this.memoryEvidence.stream().map(MemoryEvidence::contains).toList()),
                new Needles(FailureDeduplicator.POD_CONTEXT_MARKERS)));
    }

    /** The rules that ship with nodeincidents. */
    public static RuntimeRules bundled() {
        RuntimeRules r = bundled;
        if (r == null) {
            try (InputStream in = RuntimeRules.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IllegalStateException("bundled " + BUNDLED + " is missing from the classpath");
                }
                r = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled " + BUNDLED, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bundled = r;
        }
        return r;
    }

    /**
     * The bundled rules extended or overridden by an operator's file; {@code file} null gives the bundled rules.
     *
     * @throws RuntimeRulesException naming the file and the bad rule when the file cannot be used
     */
    public static RuntimeRules load(Path file) {
        if (file == null) {
            return bundled();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RuntimeRulesException("runtime rules " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        return parse(text, "runtime rules " + file, bundled());
    }

    /** Rules from JSON text, on top of {@code base} (null: standalone). */
    static RuntimeRules parse(String text, String origin, RuntimeRules base) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new RuntimeRulesException(origin + ": not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new RuntimeRulesException(origin + ": expected a JSON object with \"rules\", \"memoryEvidence\""
                    + " and/or \"components\"");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!Set.of("rules", "memoryEvidence", "components", "doc").contains(key)) {
                throw new RuntimeRulesException(origin + ": unknown key \"" + key + "\"; expected \"rules\","
                        + " \"memoryEvidence\" or \"components\"");
            }
        }
        Map<String, Rule> rules = overlay(base == null ? List.of() : base.rules, Rule::name,
                array(root, "rules", origin), origin, "rule", RuntimeRules::rule);
        Map<String, MemoryEvidence> evidence = overlay(base == null ? List.of() : base.memoryEvidence,
                MemoryEvidence::name, array(root, "memoryEvidence", origin), origin, "memory evidence",
                RuntimeRules::evidence);
        Map<String, ComponentMatch> components = overlay(base == null ? List.of() : base.components,
                ComponentMatch::name, array(root, "components", origin), origin, "component", RuntimeRules::component);
        return new RuntimeRules(List.copyOf(rules.values()), List.copyOf(evidence.values()),
                List.copyOf(components.values()));
    }

    private interface EntryParser<T> {
        T parse(JsonNode node, String where);
    }

    /**
     * The base entries with the file's applied: a new name goes before all base entries (the operator's rules are
     * tried first), a known name replaces that entry in place, {@code "enabled": false} removes it.
     */
    private static <T> Map<String, T> overlay(List<T> base, java.util.function.Function<T, String> nameOf,
                                              List<JsonNode> entries, String origin, String what,
                                              EntryParser<T> parser) {
        Map<String, T> added = new LinkedHashMap<>();
        Map<String, T> merged = new LinkedHashMap<>();
        base.forEach(b -> merged.put(nameOf.apply(b), b));
        for (int i = 0; i < entries.size(); i++) {
            JsonNode node = entries.get(i);
            String name = node.path("name").asText("");
            String where = origin + ": " + what + " " + (name.isEmpty() ? "#" + (i + 1) : "\"" + name + "\"");
            if (!node.isObject()) {
                throw new RuntimeRulesException(where + ": expected a JSON object");
            }
            if (name.isBlank()) {
                throw new RuntimeRulesException(where + ": needs a \"name\"");
            }
            if (added.containsKey(name)) {
                throw new RuntimeRulesException(where + ": the name is used twice in this file");
            }
            boolean enabled = node.path("enabled").asBoolean(true);
            if (!enabled) {
                if (merged.remove(name) == null) {
                    throw new RuntimeRulesException(where + ": \"enabled\": false names no bundled " + what);
                }
                added.put(name, null);
                continue;
            }
            T parsed = parser.parse(node, where);
            if (merged.containsKey(name)) {
                merged.put(name, parsed);
                added.put(name, null);
            } else {
                added.put(name, parsed);
            }
        }
        Map<String, T> out = new LinkedHashMap<>();
        added.forEach((name, entry) -> {
            if (entry != null) {
                out.put(name, entry);
            }
        });
        out.putAll(merged);
        return out;
    }

    private static Rule rule(JsonNode node, String where) {
        checkKeys(node, RULE_KEYS, where);
        String kindText = text(node, "kind", where, true);
        FailureKind kind;
        if (kindText.equals("NONE")) {
            kind = null;
        } else {
            try {
                kind = FailureKind.valueOf(kindText);
            } catch (IllegalArgumentException e) {
                throw new RuntimeRulesException(where + ": unknown kind \"" + kindText + "\"; expected one of "
                        + "SANDBOX_FAILURE, CONTAINER_START_FAILURE, CONTAINER_OOM_KILLED, or NONE for a look-alike");
            }
        }
        return new Rule(node.path("name").asText(), kind, needles(node, "contains", where, true),
                needles(node, "alsoContains", where, false), needles(node, "notContains", where, false),
                regex(node, where));
    }

    private static MemoryEvidence evidence(JsonNode node, String where) {
        checkKeys(node, EVIDENCE_KEYS, where);
        return new MemoryEvidence(node.path("name").asText(), needles(node, "contains", where, true),
                needles(node, "alsoContains", where, false), needles(node, "notContains", where, false),
                regex(node, where));
    }

    private static ComponentMatch component(JsonNode node, String where) {
        checkKeys(node, COMPONENT_KEYS, where);
        String wire = text(node, "component", where, true);
        RuntimeComponent component = null;
        for (RuntimeComponent c : RuntimeComponent.values()) {
            if (c.wireName().equals(wire) || c.name().equals(wire)) {
                component = c;
            }
        }
        if (component == null) {
            throw new RuntimeRulesException(where + ": unknown component \"" + wire + "\"; expected one of"
                    + " dockerd, containerd, crio, runc, docker, kubelet, k8s-event");
        }
        List<String> ids = strings(node, "identifiers", where).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        List<String> units = strings(node, "units", where).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        if (ids.isEmpty() && units.isEmpty()) {
            throw new RuntimeRulesException(where + ": needs \"identifiers\" or \"units\"");
        }
        return new ComponentMatch(node.path("name").asText(), component, ids, units);
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new RuntimeRulesException(where + ": unknown key \"" + key + "\"; expected " + allowed);
            }
        }
    }

    private static String text(JsonNode node, String key, String where, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new RuntimeRulesException(where + ": needs \"" + key + "\"");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new RuntimeRulesException(where + ": \"" + key + "\" must be a non-empty string");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new RuntimeRulesException(where + ": \"" + key + "\" must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw new RuntimeRulesException(where + ": \"" + key + "\" must hold non-empty strings only");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static Needles needles(JsonNode node, String key, String where, boolean required) {
        List<String> values = strings(node, key, where);
        if (required && values.isEmpty()) {
            throw new RuntimeRulesException(where + ": needs \"" + key + "\": at least one substring, the cheap test"
                    + " run before anything else");
        }
        return values.isEmpty() ? Needles.NONE : new Needles(values);
    }

    private static Pattern regex(JsonNode node, String where) {
        String text = text(node, "regex", where, false);
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new RuntimeRulesException(where + ": bad \"regex\": " + e.getDescription() + " near index "
                    + e.getIndex());
        }
    }

    private static List<JsonNode> array(JsonNode root, String key, String origin) {
        JsonNode v = root.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new RuntimeRulesException(origin + ": \"" + key + "\" must be a list");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    /** Bounded regex search: a cut input, and a budget of character reads after which it is no match. */
    static boolean find(Pattern regex, String text) {
        CharSequence input = new Budgeted(text.length() > MAX_REGEX_INPUT ? text.substring(0, MAX_REGEX_INPUT) : text);
        try {
            Matcher m = regex.matcher(input);
            return m.find();
        } catch (Budgeted.Exhausted | StackOverflowError e) {
            // a pattern that recurses per character ((a|b)*) overflows the stack on a long line: no match, no crash
            return false;
        }
    }

    /** The line may report a failure: it holds a substring of some failure rule. */
    static final int MAY_FAIL = 1;
    /** The line may show memory trouble: it holds a substring of some memory evidence. */
    static final int MAY_SHOW_MEMORY = 2;

    /** The line may name the pod the lines after it are about. */
    static final int MAY_NAME_POD = 4;

    /** What one pass over the line says it may hold: {@link #MAY_FAIL}, {@link #MAY_SHOW_MEMORY}, {@link #MAY_NAME_POD}. */
    int gate(String line, boolean context) {
        return gate.groupsIn(line, context ? MAY_FAIL | MAY_SHOW_MEMORY | MAY_NAME_POD : MAY_FAIL);
    }

    /** The first rule the line matches, or null. A rule of kind null says the line is a look-alike. */
    Rule ruleFor(String line) {
        for (Rule r : rules) {
            if (r.matches(line)) {
                return r;
            }
        }
        return null;
    }

    /** The first memory evidence in {@code text}, or null. */
    MemoryEvidence memoryEvidenceIn(String text) {
        for (MemoryEvidence e : memoryEvidence) {
            if (e.shownBy(text)) {
                return e;
            }
        }
        return null;
    }

    /** The component a journal identifier or unit names, or null. */
    RuntimeComponent componentOf(String identifier, String unit) {
        if (identifier == null && unit == null) {
            return null;
        }
        if ((identifier != null && identifier.length() > 64) || (unit != null && unit.length() > 128)) {
            return matchComponent(identifier, unit); // hostile or odd names are not worth remembering
        }
        // identifiers and units repeat (kubelet, dockerd, sshd): remember a bounded number of answers
        String key = (identifier == null ? "\u0001" : identifier) + "\u0000" + (unit == null ? "\u0001" : unit);
        Optional<RuntimeComponent> known = componentByIdentifier.get(key);
        if (known != null) {
            return known.orElse(null);
        }
        RuntimeComponent found = matchComponent(identifier, unit);
        if (componentByIdentifier.size() < MAX_REMEMBERED_IDENTIFIERS) {
            componentByIdentifier.put(key, Optional.ofNullable(found));
        }
        return found;
    }

    private RuntimeComponent matchComponent(String identifier, String unit) {
        for (ComponentMatch c : components) {
            for (String prefix : c.identifiers()) {
                if (identifier != null && identifier.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    return c.component();
                }
            }
            for (String prefix : c.units()) {
                if (unit != null && unit.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    return c.component();
                }
            }
        }
        return null;
    }

    public List<Rule> rules() {
        return rules;
    }

    public List<MemoryEvidence> memoryEvidence() {
        return memoryEvidence;
    }

    public List<ComponentMatch> components() {
        return components;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuntimeRules r && r.rules.equals(rules) && r.memoryEvidence.equals(memoryEvidence)
                && r.components.equals(components);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rules, memoryEvidence, components);
    }

    /** A CharSequence that gives up after a budget of reads, so a backtracking regex cannot run away. */
    private static final class Budgeted implements CharSequence {
        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String text;
        private final int[] budget;
        private final int from;
        private final int to;

        Budgeted(String text) {
            this(text, new int[] {MAX_REGEX_STEPS}, 0, text.length());
        }

        private Budgeted(String text, int[] budget, int from, int to) {
            this.text = text;
            this.budget = budget;
            this.from = from;
            this.to = to;
        }

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new Exhausted();
            }
            return text.charAt(from + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(text, budget, from + start, from + end);
        }

        @Override
        public String toString() {
            return text.substring(from, to);
        }
    }
}
