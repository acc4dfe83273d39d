package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Follows a long operation on stderr until it ends. On a terminal one line is redrawn (a spinner, the step and its
 * place among the steps); elsewhere (a pipe, a CI log) a line is written each time the step or its state changes, so
 * the log stays readable.
 */
final class Progress {
    static final Set<String> OPERATION_ENDS = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private static final String SPINNER = "|/-\\";
    private final PrintStream err;
    private final boolean terminal;
    private final long pollMillis;

    Progress(PrintStream err, boolean terminal, long pollMillis) {
        this.err = err;
        this.terminal = terminal;
        this.pollMillis = pollMillis;
    }

    /** Follows {@code GET /operations/{id}} to its end; returns the last answer. */
    JsonNode operation(Api api, String operationId) {
        return follow(() -> api.get("/operations/" + operationId), Progress::describeOperation,
                op -> OPERATION_ENDS.contains(op.path("status").asText()));
    }

    /** "TYPE: step 2/5 create-database (RUNNING)", from the operation's steps. */
    static String describeOperation(JsonNode op) {
        JsonNode steps = op.path("steps");
        String type = op.path("type").asText("operation");
        if (steps.isEmpty()) {
            return type + ": " + op.path("status").asText();
        }
        JsonNode last = steps.get(steps.size() - 1);
        return type + ": step " + steps.size() + " " + last.path("name").asText() + " (" + last.path("status").asText() + ")";
    }

    JsonNode follow(Supplier<JsonNode> poll, Function<JsonNode, String> describe, Predicate<JsonNode> done) {
        String shown = null;
        int frame = 0;
        while (true) {
            JsonNode current = poll.get();
            String line = describe.apply(current);
            if (terminal) {
                err.print("\r\033[K" + SPINNER.charAt(frame++ % SPINNER.length()) + " " + line);
                err.flush();
            } else if (!line.equals(shown)) {
                err.println("  " + line);
            }
            shown = line;
            if (done.test(current)) {
                if (terminal) {
                    err.print("\r\033[K");
                }
                return current;
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, "Interrupted");
            }
        }
    }

    /** The operation's outcome in words, and why it failed: its error, else the failed step's. */
    static String outcome(JsonNode op) {
        String status = op.path("status").asText();
        String type = op.path("type").asText("operation");
        if ("SUCCEEDED".equals(status)) {
            return type + " succeeded (operation " + op.path("id").asText() + ")";
        }
        StringBuilder why = new StringBuilder(type + " " + status.toLowerCase() + " (operation " + op.path("id").asText() + ")");
        if (op.hasNonNull("error")) {
            why.append(": ").append(op.get("error").asText());
        }
        for (JsonNode step : op.path("steps")) {
            if (step.hasNonNull("error")) {
                why.append("\n  step ").append(step.path("name").asText()).append(": ").append(step.get("error").asText());
            }
        }
        return why.toString();
    }
}
