package io.cloudplane.api.console;

import io.cloudplane.api.domain.DomainView;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.sftp.SftpController;
import io.cloudplane.api.sftp.SshKeyController;
import io.micronaut.core.annotation.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the templates of the General and Access files tabs, the apps list's actions and the
 * operator's page show ({@code general*.jte}, {@code files*.jte}, {@code operator*.jte}).
 */
public final class GeneralPages {
    private GeneralPages() {
    }

    /**
     * The General tab: the server's actions, the access setting, and (staging and production) the custom
     * domains. {@code error} is the last refusal in words, {@code errorField} the form field it names
     * ({@code hostname}, {@code access}, or {@code server}), {@code hostname} what was typed.
     */
    public record General(ConsolePages.Frame frame, boolean owner, boolean domainsAllowed, List<DomainView> domains,
                          @Nullable String error, @Nullable String errorField, @Nullable String hostname) {
        public String base() {
            return frame.href(ConsolePages.Concern.GENERAL);
        }

        public boolean isPublic() {
            return "public".equals(frame.environment().access());
        }

        public boolean refused(String field) {
            return error != null && field.equals(errorField);
        }

        /** {@code aria-invalid} of a field: "true" when the refusal names it, else no attribute. */
        public @Nullable String invalid(String field) {
            return refused(field) ? "true" : null;
        }

        /** {@code aria-describedby} of a field: its hint, and its error when the refusal names it. */
        public String describedBy(String field, String hint) {
            return refused(field) ? hint + " " + field + "-error" : hint;
        }

        public boolean stopped() {
            return "STOPPED".equals(frame.environment().status());
        }
    }

    /**
     * The Access files tab: the SFTP access (or why there is none), the user's SSH keys, and, on the
     * page that answers its POST only, a short-lived password.
     */
    public record Files(ConsolePages.Frame frame, @Nullable SftpController.SftpAccess sftp, @Nullable String unavailable,
                        List<SshKeyController.SshKey> keys, @Nullable SftpController.SftpPassword password,
                        @Nullable String error, @Nullable String errorField, @Nullable String keyName) {
        public String base() {
            return frame.href(ConsolePages.Concern.FILES);
        }

        public boolean refused(String field) {
            return error != null && field.equals(errorField);
        }

        public @Nullable String invalid(String field) {
            return refused(field) ? "true" : null;
        }

        /** {@code aria-describedby} of a field: its hint, and its error when the refusal names it. */
        public String describedBy(String field, String hint) {
            return refused(field) ? hint + " " + field + "-error" : hint;
        }
    }

    /** An app's actions on a page of their own (the apps list has the same forms): clone, delete, wake. */
    public record AppActions(String csrf, UUID appId, String appName, boolean owner, boolean sandbox, boolean sleeping,
                             @Nullable String error, @Nullable String errorField, @Nullable String cloneName) {
        public boolean refused(String field) {
            return error != null && field.equals(errorField);
        }

        public @Nullable String invalid(String field) {
            return refused(field) ? "true" : null;
        }

        /** {@code aria-describedby} of a field: its hint, and its error when the refusal names it. */
        public String describedBy(String field, String hint) {
            return refused(field) ? hint + " " + field + "-error" : hint;
        }
    }

    /**
     * An operation's progress on a page of its own (a deletion, whose app's panel goes away with it): it
     * polls itself at {@code pollUrl} while the operation runs.
     */
    public record Progress(String csrf, OperationView operation, String pollUrl, boolean fragment) {
        public boolean live() {
            return operation.status().equals("PENDING") || operation.status().equals("RUNNING");
        }

        public @Nullable String poll() {
            return live() ? pollUrl : null;
        }

        public @Nullable String trigger() {
            return live() ? "every 1s" : null;
        }

        public boolean failed() {
            return operation.status().equals("FAILED");
        }
    }

    /** The operator's sign-in with the bootstrap token. */
    public record OperatorSignIn(String csrf, @Nullable String error) {
    }

    /** An operation on the operator's page, with the names of its app and environment where they still exist. */
    public record OperatorOperation(OperationView operation, @Nullable String appName, @Nullable String envName,
                                    @Nullable String temporalLink) {
        public String detail() {
            return "/operator/operations/" + operation.id();
        }
    }

    /** Every running and failed operation across Cloudplane, newest first, at most {@code limit}. */
    public record Operator(String csrf, List<OperatorOperation> operations, int limit, boolean temporalUi) {
    }

    /** One event of a workflow's history. */
    public record HistoryEvent(long id, Instant at, String type) {
    }

    /**
     * An operation's detail for the operator: its workflow's history (the first {@code limit} events),
     * or why the history could not be read.
     */
    public record OperatorDetail(String csrf, OperatorOperation entry, List<HistoryEvent> history, boolean more, int limit,
                                 @Nullable String historyError) {
    }
}
