package io.cloudplane.api.console;

import io.cloudplane.infra.account.UserRepository;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, says which of {@code cloudplane.console.operators}' emails have no account yet. Cloudplane's
 * own sign-up does not prove that someone holds the email they sign up with (Cognito's does), so a listed
 * email with no account is one that whoever signs it up first would make an operator: the warning asks for
 * the account to be made (or the email removed) before anyone else can.
 */
@Singleton
public class ConsoleOperatorAccounts {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleOperatorAccounts.class);
    private final ConsoleOperatorSettings settings;
    private final UserRepository users;

    public ConsoleOperatorAccounts(ConsoleOperatorSettings settings, UserRepository users) {
        this.settings = settings;
        this.users = users;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        for (String email : settings.operators()) {
            try {
                if (users.findByEmailIgnoringCase(email).isEmpty()) {
                    LOG.warn("cloudplane.console.operators lists {}, which has no account yet: whoever signs up with it becomes an "
                            + "operator. Sign it up now, or remove it from the list.", email);
                }
            } catch (RuntimeException e) {
                LOG.warn("The operators' accounts could not be checked at start-up", e);
                return;
            }
        }
    }
}
