package io.cloudplane.activities.team;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.team.EnvironmentMembership;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

/** What the sync reads from the tables, and how it calls the identity provider. */
class MembershipActivitiesImplTest {
    private final EnvironmentRepository environments = mock(EnvironmentRepository.class);
    private final AppMemberRepository members = mock(AppMemberRepository.class);
    private final EnvironmentUserRepository environmentUsers = mock(EnvironmentUserRepository.class);
    private final UserRepository users = mock(UserRepository.class);
    private final IdentityProvider identity = mock(IdentityProvider.class);
    private final MembershipActivitiesImpl activities = new MembershipActivitiesImpl(environments, members, environmentUsers, users, identity);
    private final UUID app = UUID.randomUUID();
    private final UUID user = UUID.randomUUID();
    private final UUID dev = UUID.randomUUID();
    private final UUID staging = UUID.randomUUID();
    private final UUID production = UUID.randomUUID();

    private EnvironmentRecord env(UUID id, EnvironmentRecord.EnvironmentType type) {
        Instant now = Instant.now();
        return new EnvironmentRecord(id, app, type.name().toLowerCase(), type, null, EnvironmentStatus.RUNNING, null, "1.0.0", null, null,
                EnvironmentRecord.databaseNameFor(id), null, now, now);
    }

    private void environments() {
        when(environments.findByAppId(app)).thenReturn(List.of(env(dev, EnvironmentRecord.EnvironmentType.DEVELOPMENT),
                env(staging, EnvironmentRecord.EnvironmentType.STAGING), env(production, EnvironmentRecord.EnvironmentType.PRODUCTION)));
        when(environmentUsers.findById(any())).thenReturn(Optional.empty());
    }

    @Test
    void aDevelopersProfileHoldsEverywhereAndAnEndUserRowIsTheMoreParticular() {
        environments();
        when(members.findById(new AppMemberRecord.Key(app, user)))
                .thenReturn(Optional.of(new AppMemberRecord(new AppMemberRecord.Key(app, user), AppMemberRecord.Role.DEVELOPER, "Manager", Instant.now())));
        when(environmentUsers.findById(new EnvironmentUserRecord.Key(production, user)))
                .thenReturn(Optional.of(new EnvironmentUserRecord(new EnvironmentUserRecord.Key(production, user), "Sales", Instant.now())));

        assertEquals(List.of(new EnvironmentMembership(dev.toString(), "Manager"), new EnvironmentMembership(staging.toString(), "Manager"),
                new EnvironmentMembership(production.toString(), "Sales")), activities.readMemberships(app.toString(), user.toString()));
    }

    @Test
    void anEndUserHasAProfileInTheirEnvironmentOnlyAndAnyoneRemovedHasNone() {
        environments();
        when(members.findById(any())).thenReturn(Optional.empty());
        when(environmentUsers.findById(new EnvironmentUserRecord.Key(staging, user)))
                .thenReturn(Optional.of(new EnvironmentUserRecord(new EnvironmentUserRecord.Key(staging, user), "user", Instant.now())));

        assertEquals(List.of(new EnvironmentMembership(dev.toString(), null), new EnvironmentMembership(staging.toString(), "user"),
                new EnvironmentMembership(production.toString(), null)), activities.readMemberships(app.toString(), user.toString()));
    }

    @Test
    void declaresAndWithdrawsWithTheAccountsEmailAndNothingForADeletedAccount() {
        when(users.findById(user)).thenReturn(Optional.of(new UserRecord(user, "ada@example.com", "Ada", "Lovelace", Instant.now())));

        activities.declareMembership(user.toString(), staging.toString(), "Manager");
        activities.withdrawMembership(user.toString(), production.toString());

        verify(identity).declareMembership(user, "ada@example.com", staging, "Manager");
        verify(identity).withdrawMembership(user, "ada@example.com", production);

        UUID gone = UUID.randomUUID();
        when(users.findById(gone)).thenReturn(Optional.empty());
        IdentityProvider untouched = mock(IdentityProvider.class);
        MembershipActivitiesImpl other = new MembershipActivitiesImpl(environments, members, environmentUsers, users, untouched);
        other.declareMembership(gone.toString(), staging.toString(), "Manager");
        other.withdrawMembership(gone.toString(), staging.toString());
        verifyNoInteractions(untouched);
    }
}
