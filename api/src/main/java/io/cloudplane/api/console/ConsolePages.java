package io.cloudplane.api.console;

import io.cloudplane.api.app.Views;
import io.cloudplane.api.operation.ActivityViews;
import io.cloudplane.api.operation.OperationView;
import io.micronaut.core.annotation.Nullable;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** What the console's templates (src/main/jte) show: one record per page or fragment. */
public final class ConsolePages {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private ConsolePages() {
    }

    /** {@code to}: where the sign-in goes back to (a local path, as an invitation's page), or null for the apps list. */
    public record SignIn(String csrf, @Nullable String email, @Nullable String error, @Nullable String to) {
    }

    public record SignUp(String csrf, @Nullable String email, @Nullable String firstName, @Nullable String lastName,
                         @Nullable String error, @Nullable String to) {
    }

    /** An environment in a list or a tab: its name, type and status. */
    public record Environment(UUID id, String name, String type, String status) {
        public String statusLabel() {
            return label(status);
        }
    }

    /** {@code deletesAt}: a sleeping sandbox's deletion, when its lifecycle tells it. */
    public record App(UUID id, String name, Instant createdAt, List<Environment> environments, boolean sleeping,
                      @Nullable Instant deletesAt) {
    }

    public record Apps(String csrf, @Nullable App sandbox, List<App> applications, List<App> shared, @Nullable String error,
                       @Nullable String newName) {
    }

    /**
     * An environment's Overview; {@code live} while something is still moving (its operation runs, or its status
     * is one that passes), when the fragment polls itself at {@code pollUrl}. {@code fragment}: rendered alone for
     * the polling, when it also updates its environment's tab (an out-of-band swap). {@code error}: a refused
     * action of the Overview (Update), in the API's words.
     */
    public record Overview(String csrf, UUID appId, Views.EnvironmentView environment, @Nullable OperationView operation,
                           List<ActivityViews.Entry> activity, boolean live, String pollUrl, boolean studioButton, boolean fragment,
                           @Nullable String error, boolean cancellable) {
        /** The fragment's own URL while it polls; null (no attribute) once nothing moves. */
        public @Nullable String poll() {
            return live ? pollUrl : null;
        }

        public @Nullable String trigger() {
            return live ? "every 1s" : null;
        }

        public boolean failed() {
            return operation != null && operation.status().equals("FAILED");
        }
    }

    /**
     * The app panel's concerns, one tab each for the environment shown. Overview is the panel's own page
     * ({@code /apps/{appId}?env=}); every other concern is {@code /apps/{appId}/environments/{envId}/<path>},
     * served by its own controller in this package inside {@code panelShell.jte}.
     */
    public enum Concern {
        OVERVIEW("Overview", ""),
        GENERAL("General", "general"),
        METRICS("Metrics", "metrics"),
        LOGS("Logs", "logs"),
        TEAM("Team", "team"),
        BACKUPS("Backups", "backups"),
        DEPLOY("Deploy", "deploy"),
        FILES("Access files", "files");

        private final String label;
        private final String path;

        Concern(String label, String path) {
            this.label = label;
            this.path = path;
        }

        public String label() {
            return label;
        }

        /** The segment after {@code /environments/{envId}/}; empty for the Overview. */
        public String path() {
            return path;
        }

        public String href(UUID appId, UUID envId) {
            return this == OVERVIEW ? "/apps/" + appId + "?env=" + envId : "/apps/" + appId + "/environments/" + envId + "/" + path;
        }
    }

    /**
     * What every tab of the app panel shows around its content: the app, its environments (one tab each,
     * keeping the concern), the concerns of the environment shown, and the CSRF token of the page's forms.
     */
    public record Frame(String csrf, UUID appId, String appName, List<Environment> environments, Views.EnvironmentView environment,
                        Concern concern) {
        public UUID envId() {
            return environment.id();
        }

        /** {@code aria-current} of an environment's tab: "page" for the one shown, none for the others. */
        public @Nullable String current(UUID envId) {
            return environment.id().equals(envId) ? "page" : null;
        }

        /** {@code aria-current} of a concern's tab. */
        public @Nullable String current(Concern c) {
            return concern == c ? "page" : null;
        }

        /** The same concern in another environment. */
        public String href(UUID envId) {
            return concern.href(appId, envId);
        }

        public String href(Concern c) {
            return c.href(appId, environment.id());
        }

        public List<Concern> concerns() {
            return List.of(Concern.values());
        }

        /** The page's title: the app, the environment and the concern. */
        public String title() {
            return appName + " · " + environment.name() + " · " + concern.label();
        }
    }

    /** The Overview tab: the frame and the environment's Overview. */
    public record Panel(Frame frame, Overview overview) {
    }

    public record Problem(int status, String title, String detail) {
    }

    public static String date(@Nullable Instant instant) {
        return instant == null ? "" : DATE.format(instant);
    }

    public static String time(@Nullable Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** RUNNING to "Running", a step's SUCCEEDED to "Succeeded". */
    public static String label(String constant) {
        String words = constant.replace('_', ' ').toLowerCase(Locale.ROOT);
        return words.isEmpty() ? words : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
