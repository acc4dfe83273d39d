package io.cloudplane.api.account;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.problem.ApiException;
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

    public AccountService(UserRepository users, IdentityProvider identity, AppService apps) {
        this.users = users;
        this.identity = identity;
        this.apps = apps;
    }

    public record NewAccount(UserRecord user, OperationRecord sandboxProvisioning) {
    }

    /** The user, their credentials, their sandbox and its provisioning operation: all or nothing. */
    @Transactional
    public NewAccount create(AccountRequests.CreateAccount request) {
        String email = request.email().trim();
        if (users.findByEmailIgnoringCase(email).isPresent()) {
            throw ApiException.conflict("An account with this email exists already");
        }
        UserRecord user;
        try {
            user = users.save(new UserRecord(UUID.randomUUID(), email, request.firstName().trim(), request.lastName().trim(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS)));
        } catch (DataAccessException e) {
            throw ApiException.conflict("An account with this email exists already");
        }
        identity.register(user.id(), email, request.password());
        return new NewAccount(user, apps.createApp(user.id(), AppService.SANDBOX_NAME, AppRecord.AppKind.SANDBOX));
    }
}
