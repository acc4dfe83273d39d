package io.cloudplane.api.team;

import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.TeamMember;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public final class TeamViews {
    private TeamViews() {
    }

    /** An invitation as its environment's team sees it: never its token. */
    @Serdeable
    public record Invitation(UUID id, String email, String firstName, String lastName, String profile, InvitationRecord.Kind kind,
                             InvitationRecord.Status status, Instant expiresAt, Instant createdAt, int resent) {
        public static Invitation of(InvitationRecord r) {
            return new Invitation(r.id(), r.email(), r.firstName(), r.lastName(), r.profile(), r.kind(), r.status(), r.expiresAt(),
                    r.createdAt(), r.resent());
        }
    }

    /**
     * A member of the environment: {@code kind} {@code developer} (the app's owner or a developer,
     * {@code role} {@code owner} or {@code developer}) or {@code user} (an end user of this
     * environment, no role).
     */
    @Serdeable
    public record Member(UUID userId, String firstName, String lastName, String email, @Nullable String profile, String kind,
                         @Nullable String role, Instant since) {
        public static Member of(TeamMember m) {
            return new Member(m.userId(), m.firstName(), m.lastName(), m.email(), m.profile(), m.developer() ? "developer" : "user",
                    m.role() == null ? null : m.role().toLowerCase(), m.since());
        }
    }

    @Serdeable
    public record Members(List<Member> members, List<Invitation> invitations) {
    }

    /** What the accept page shows to whoever holds the token: nothing else. */
    @Serdeable
    public record PublicInvitation(String appName, String environmentName, String inviterName, String profile,
                                   InvitationRecord.Kind kind, String email, InvitationRecord.Status status, Instant expiresAt) {
    }

    /** The membership an accepted invitation made. */
    @Serdeable
    public record Membership(UUID appId, UUID envId, InvitationRecord.Kind kind, String profile) {
    }
}
