package io.cloudplane.api.account;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.team.InvitationService;
import io.cloudplane.infra.team.InvitationRecord;
import io.micronaut.core.annotation.Nullable;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import io.micronaut.transaction.annotation.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

@Singleton
public class AccountService {
    private final UserRepository users;
    private final IdentityProvider identity;
    private final AppService apps;

    private final InvitationService invitations;

    public AccountService(UserRepository users, IdentityProvider identity, AppService apps, InvitationService invitations) {
        this.users = users;
        this.identity = identity;
        this.apps = apps;
        this.invitations = invitations;
    }

    /**
     * {@code sandboxProvisioning} is null for an account made through a user invitation (an end user
     * of that application gets no sandbox); {@code joined} is the membership an invitation made, or null.
     */
    public record NewAccount(UserRecord user, @Nullable OperationRecord sandboxProvisioning, @Nullable InvitationService.Joined joined) {
    }

    /**
     * The user, their credentials, their sandbox and its provisioning operation, and the membership
     * of the invitation they sign up with: all or nothing. The invitation must be usable (404, 410) and
     * for this email (403 naming the one it is for).
     */
    @Transactional
    public NewAccount create(AccountRequests.CreateAccount request) {
        String email = request.email().trim();
        InvitationRecord invitation = request.invitationToken() == null ? null : invitations.usable(request.invitationToken());
        if (invitation != null && !invitation.email().equalsIgnoreCase(email)) {
            throw ApiException.forbidden("This invitation is for " + invitation.email() + ": sign up with that email to accept it");
        }
        java.util.Optional<UserRecord> existing = users.findByEmailIgnoringCase(email);
        if (existing.isPresent()) {
            return becomeDeveloper(existing.get(), request, invitation);
        }
        UserRecord user;
        try {
            user = users.save(new UserRecord(UUID.randomUUID(), email, request.firstName().trim(), request.lastName().trim(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS)));
        } catch (DataAccessException e) {
            throw ApiException.conflict("An account with this email exists already");
        }
        identity.register(user.id(), email, request.password());
        OperationRecord sandbox = invitation != null && invitation.kind() == InvitationRecord.Kind.USER ? null
                : apps.createApp(user.id(), AppService.SANDBOX_NAME, AppRecord.AppKind.SANDBOX);
        return new NewAccount(user, sandbox, invitation == null ? null : invitations.join(invitation, user));
    }

    /**
     * The sign-up of a person who has an account already, as an end user of an application (made
     * through a user invitation, without a sandbox): with that account's password, it gives the
     * account its sandbox, so the person becomes a developer without a second account. Any other
     * sign-up with an existing email (an account that has its sandbox, another password, an
     * invitation token) is refused as before: 409, which says no more than that the email is taken.
     */
    private NewAccount becomeDeveloper(UserRecord user, AccountRequests.CreateAccount request, @Nullable InvitationRecord invitation) {
        boolean endUserOnly = invitation == null && apps.ownsNoSandbox(user.id());
        if (endUserOnly && identity.authenticate(user.email(), request.password())
                instanceof IdentityProvider.AuthenticationResult.Authenticated authenticated && authenticated.userId().equals(user.id())) {
            return new NewAccount(user, apps.createApp(user.id(), AppService.SANDBOX_NAME, AppRecord.AppKind.SANDBOX), null);
        }
        throw ApiException.conflict("An account with this email exists already");
    }
}
