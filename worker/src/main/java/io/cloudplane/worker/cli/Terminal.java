package io.cloudplane.worker.cli;

import java.io.Console;

/** The user's terminal, when there is one: prompts (a password without echo), and whether to ask at all. */
interface Terminal {
    boolean interactive();

    String readLine(String prompt);

    char[] readPassword(String prompt);

    /** {@link System#console()}: null when stdin or stdout is not a terminal (a pipe, a script, CI). */
    static Terminal system() {
        Console console = System.console();
        return new Terminal() {
            @Override
            public boolean interactive() {
                return console != null;
            }

            @Override
            public String readLine(String prompt) {
                return console == null ? null : console.readLine("%s", prompt);
            }

            @Override
            public char[] readPassword(String prompt) {
                return console == null ? null : console.readPassword("%s", prompt);
            }
        };
    }
}
