package io.cloudplane.api.console;

import io.cloudplane.api.release.DeploymentController;
import io.cloudplane.api.release.PromotionController;
import io.cloudplane.api.release.ReleaseView;
import io.cloudplane.api.team.TeamViews;
import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.UUID;

/**
 * What the Deploy and Team tabs and the invitation page show (templates {@code deploy*.jte},
 * {@code team*.jte}, {@code invitation*.jte}): one record per page or fragment. What a user may do
 * is decided here from the API's own rules, so that a page offers only what the API would accept;
 * the API still decides, and a refusal shows its words.
 */
public final class DeployPages {
    private DeployPages() {
    }

    /** An environment a release can be cut from (development or staging). */
    public record Source(UUID id, String name, boolean selected) {
    }

    /**
     * A release with what the user may do with it here: delete (while no deployment used it and it is
     * not being created), deploy into this environment, promote (through staging to production).
     */
    public record Release(ReleaseView release, boolean deletable, boolean deployable, boolean promotable) {
        public String runningIn() {
            return String.join(", ", release.runningIn().stream().map(ReleaseView.EnvironmentRef::name).toList());
        }
    }

    /**
     * A promotion with the release's name; {@code decidable} when it waits for an approval and the user
     * is the owner (the API lets only the owner approve or reject); {@code cancellable} when it waits and the user
     * asked for it or is the owner (the API's rule for a cancel).
     */
    public record Promotion(PromotionController.PromotionView promotion, String releaseName, boolean decidable,
                            boolean cancellable, List<Stage> stages) {
        public String status() {
            return promotion.status().name();
        }

        public boolean waiting() {
            return promotion.status() == io.cloudplane.workflows.release.PromotionStatus.AWAITING_APPROVAL;
        }
    }

    /** A promotion's stage: the environment, its deployment's outcome, and where its steps are shown. */
    public record Stage(String name, @Nullable String outcome, @Nullable String error, @Nullable String stepsHref) {
    }

    /**
     * The promotions of the app: live (polls itself at {@code pollUrl}) while one deploys; {@code fragment}
     * when rendered alone for the polling.
     */
    public record Promotions(String csrf, String base, List<Promotion> items, boolean live, String pollUrl) {
        public @Nullable String poll() {
            return live ? pollUrl : null;
        }

        public @Nullable String trigger() {
            return live ? "every 1s" : null;
        }
    }

    /**
     * The Deploy tab of an environment: the app's releases, a new release's form, deploying here, the
     * environment's deployment history with rollback, and the app's promotions.
     * {@code base}: {@code /apps/{appId}/environments/{envId}/deploy}, where its forms post.
     */
    public record Deploy(ConsolePages.Frame frame, String base, List<Release> releases, List<Source> sources,
                         boolean canDeployHere, @Nullable String deployRefusal, boolean canPromote, @Nullable String promoteRefusal,
                         List<DeploymentController.DeploymentView> history, Promotions promotions,
                         @Nullable String error, @Nullable String notice, @Nullable String newName, @Nullable String newDescription) {
        public boolean canCreate() {
            return !sources.isEmpty();
        }

        public List<Release> deployableReleases() {
            return releases.stream().filter(Release::deployable).toList();
        }
    }

    /** A member with what the user may do: change the profile, remove (or leave, for oneself). */
    public record Member(TeamViews.Member member, boolean owner, boolean self, boolean canChangeProfile, boolean canRemove) {
        public String name() {
            return member.firstName() + " " + member.lastName();
        }

        public String kind() {
            return owner ? "Owner" : member.kind().equals("developer") ? "Developer" : "End user";
        }
    }

    /**
     * The Team tab of an environment: its members, pending invitations, and the invitation form with the
     * profiles the application knows. {@code inviteRefusal}: why this user cannot invite here, in words.
     */
    public record Team(ConsolePages.Frame frame, String base, List<Member> members, List<TeamViews.Invitation> invitations,
                       boolean canInvite, @Nullable String inviteRefusal, String inviteKind, List<String> profiles,
                       @Nullable String profilesProblem, @Nullable String error, @Nullable String notice, Invite invite) {
    }

    /** What the invitation form holds (kept after a refusal). */
    public record Invite(@Nullable String firstName, @Nullable String lastName, @Nullable String email, @Nullable String profile) {
        static final Invite EMPTY = new Invite(null, null, null, null);
    }

    /**
     * The page an invitation's link opens: the invitation (null when it cannot be used, with {@code error}
     * saying why), who is signed in (null when nobody), the CSRF token of its Accept form.
     */
    public record Invitation(String csrf, String token, @Nullable TeamViews.PublicInvitation invitation, @Nullable String signedInAs,
                             @Nullable String error) {
        public String path() {
            return "/invitations/" + token;
        }

        public String signInHref() {
            return ConsoleController.SIGN_IN + "?to=" + path();
        }

        public String signUpHref() {
            return "/sign-up?to=" + path();
        }

        public boolean signedIn() {
            return signedInAs != null;
        }

        public boolean forSomeoneElse() {
            return invitation != null && signedInAs != null && !signedInAs.equalsIgnoreCase(invitation.email());
        }

        public String kind() {
            return invitation == null ? "" : invitation.kind().name().equals("DEVELOPER")
                    ? "a developer of the application" : "a user of its " + invitation.environmentName() + " environment";
        }
    }
}
