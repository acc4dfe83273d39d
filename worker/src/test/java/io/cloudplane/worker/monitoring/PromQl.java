package io.cloudplane.worker.monitoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The vector selectors of a PromQL expression (a metric name and the labels its matchers name), enough to check
 * example alert rules against what Cloudplane exports: grouping clauses ({@code by}, {@code without}, {@code on},
 * {@code ignoring}, {@code group_left}, {@code group_right}) and range durations are removed, function names (an
 * identifier followed by {@code (}), keywords and numbers are not selectors.
 */
final class PromQl {
    record Selector(String metric, List<String> labels) {
    }

    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*\\})?(\\s*\\()?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "inf", "nan");

    private PromQl() {
    }

    static List<Selector> selectors(String expr) {
        String stripped = RANGE.matcher(GROUPING.matcher(expr).replaceAll(" ")).replaceAll(" ");
        List<Selector> selectors = new ArrayList<>();
        Matcher m = SELECTOR.matcher(stripped);
        while (m.find()) {
            if (m.start() > 0 && Character.isDigit(stripped.charAt(m.start() - 1))) {
                continue; // the exponent or unit of a number
            }
            String name = m.group(1);
            if (m.group(3) != null && m.group(2) == null || KEYWORDS.contains(name.toLowerCase())) {
                continue; // a function call or a keyword
            }
            List<String> labels = new ArrayList<>();
            if (m.group(2) != null) {
                String body = m.group(2).substring(1, m.group(2).length() - 1).trim();
                Matcher matcher = MATCHER.matcher(body);
                int at = 0;
                while (matcher.find()) {
                    if (!body.substring(at, matcher.start()).replace(",", "").isBlank()) {
                        throw new IllegalArgumentException("cannot read the matchers of " + name + ": " + body);
                    }
                    labels.add(matcher.group(1));
                    at = matcher.end();
                }
                if (!body.substring(at).replace(",", "").isBlank()) {
                    throw new IllegalArgumentException("cannot read the matchers of " + name + ": " + body);
                }
            }
            selectors.add(new Selector(name, labels));
        }
        return selectors;
    }
}
