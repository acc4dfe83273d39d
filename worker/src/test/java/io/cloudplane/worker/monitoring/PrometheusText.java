package io.cloudplane.worker.monitoring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus's text exposition format 0.0.4, for the tests. No Java library parses it
 * (client_java's {@code prometheus-metrics-exposition-textformats} and simpleclient_common only write it), so this
 * one reads what a scraper reads and refuses what a scraper would: a sample line that is not
 * {@code name{label="value",...} value [timestamp]}, a bad escape, a value that is not a float, {@code +Inf},
 * {@code -Inf} or {@code NaN}, a {@code # TYPE} given twice, after its samples or with an unknown type, a sample of a
 * typed family with a name its type does not allow, a histogram bucket without {@code le}, and the same series twice.
 */
public final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Map<String, String> types = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {
    }

    public static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        Set<String> series = new HashSet<>();
        Set<String> familiesSeen = new HashSet<>();
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    parsed.comment(line, familiesSeen);
                } else {
                    Sample sample = sample(line);
                    String family = parsed.family(sample.name());
                    familiesSeen.add(family);
                    if (!series.add(sample.name() + new TreeMap<>(sample.labels()))) {
                        throw new IllegalArgumentException("the series " + sample.name() + sample.labels() + " is given twice");
                    }
                    parsed.samples.add(sample);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (n + 1) + ": " + e.getMessage() + ": " + line, e);
            }
        }
        return parsed;
    }

    private void comment(String line, Set<String> familiesSeen) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && parts[0].equals("#") && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            requireName(parts[2]);
            if (parts[1].equals("TYPE")) {
                String type = parts.length == 4 ? parts[3] : "";
                if (!TYPES.contains(type)) {
                    throw new IllegalArgumentException("unknown type '" + type + "'");
                }
                if (types.containsKey(parts[2])) {
                    throw new IllegalArgumentException("a second TYPE for " + parts[2]);
                }
                if (familiesSeen.contains(parts[2])) {
                    throw new IllegalArgumentException("TYPE of " + parts[2] + " after its samples");
                }
                types.put(parts[2], type);
            }
        }
        // any other comment is allowed and ignored
    }

    private static void requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name '" + name + "'");
        }
    }

    /** The typed family a sample belongs to, checking that its type allows the sample's name. */
    private String family(String name) {
        if (types.containsKey(name)) {
            String type = types.get(name);
            if (type.equals("histogram")) {
                throw new IllegalArgumentException("a histogram's sample must be _bucket, _sum or _count");
            }
            return name;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
            if (name.endsWith(suffix)) {
                String family = name.substring(0, name.length() - suffix.length());
                String type = types.get(family);
                if (type != null) {
                    boolean allowed = switch (type) {
                        case "histogram" -> !suffix.equals("_total");
                        case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
                        case "counter" -> suffix.equals("_total") || suffix.equals("_created");
                        default -> false;
                    };
                    if (!allowed) {
                        throw new IllegalArgumentException("a " + type + " has no sample " + name);
                    }
                    return family;
                }
            }
        }
        return name; // untyped
    }

    private static Sample sample(String line) {
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new IllegalArgumentException("no metric name");
        }
        int i = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                Matcher label = LABEL.matcher(line).region(i, line.length());
                if (!label.lookingAt()) {
                    throw new IllegalArgumentException("bad label name at " + i);
                }
                String key = label.group();
                i = label.end();
                if (!line.startsWith("=\"", i)) {
                    throw new IllegalArgumentException("expected =\" after label " + key);
                }
                i += 2;
                StringBuilder value = new StringBuilder();
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException("unterminated label value");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (i >= line.length()) {
                            throw new IllegalArgumentException("unterminated escape");
                        }
                        char e = line.charAt(i++);
                        value.append(switch (e) {
                            case '\\' -> '\\';
                            case '"' -> '"';
                            case 'n' -> '\n';
                            default -> throw new IllegalArgumentException("bad escape \\" + e);
                        });
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(key, value.toString()) != null) {
                    throw new IllegalArgumentException("label " + key + " given twice");
                }
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException("expected , or } after label " + key);
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("expected a space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2) {
            throw new IllegalArgumentException("expected a value and an optional timestamp");
        }
        double value = value(rest[0]);
        if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
            throw new IllegalArgumentException("bad timestamp " + rest[1]);
        }
        if (name.group().endsWith("_bucket") && !labels.containsKey("le")) {
            throw new IllegalArgumentException("a bucket without le");
        }
        return new Sample(name.group(), Map.copyOf(labels), value);
    }

    private static double value(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                if (!s.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException("bad value " + s);
                }
                yield Double.parseDouble(s);
            }
        };
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Every sample name (histograms' {@code _bucket}, {@code _sum}, {@code _count} included). */
    public Set<String> names() {
        Set<String> names = new HashSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    public String type(String family) {
        return types.get(family);
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels}; 0 when there are none. */
    public double sum(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }

    public boolean has(String name, Map<String, String> labels) {
        return samples.stream().anyMatch(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()));
    }
}
