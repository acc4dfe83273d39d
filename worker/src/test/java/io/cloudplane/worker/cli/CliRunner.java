package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** Runs the CLI in this JVM with its own environment, stdin and terminal, and captures stdout, stderr and the exit code. */
final class CliRunner {
    record Result(int exit, String out, String err) {
        JsonNode json() {
            try {
                return Api.JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("not only JSON on stdout: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** No terminal: what a script or CI sees ({@code System.console() == null}). */
    static final Terminal NONE = new Terminal() {
        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public String readLine(String prompt) {
            throw new AssertionError("asked without a terminal: " + prompt);
        }

        @Override
        public char[] readPassword(String prompt) {
            throw new AssertionError("asked without a terminal: " + prompt);
        }
    };

    /** A terminal whose user types {@code lines}, one per prompt; the prompts are kept. */
    static final class Typing implements Terminal {
        final Deque<String> lines;
        final List<String> prompts = new java.util.ArrayList<>();

        Typing(String... lines) {
            this.lines = new ArrayDeque<>(List.of(lines));
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public String readLine(String prompt) {
            prompts.add(prompt);
            return lines.poll();
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            String line = lines.poll();
            return line == null ? null : line.toCharArray();
        }
    }

    private final Map<String, String> env;
    private final long pollMillis;

    CliRunner(Map<String, String> env, long pollMillis) {
        this.env = env;
        this.pollMillis = pollMillis;
    }

    Result run(String... args) {
        return run(NONE, "", args);
    }

    Result run(Terminal terminal, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Cli cli = new Cli(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e, terminal, pollMillis);
            int exit = Cli.commandLine(cli).execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
