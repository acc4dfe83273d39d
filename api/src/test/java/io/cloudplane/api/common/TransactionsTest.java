package io.cloudplane.api.common;

import io.cloudplane.api.account.AccountService;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.backup.RestoreService;
import io.cloudplane.api.release.ReleaseService;
import io.micronaut.aop.Intercepted;
import io.micronaut.context.ApplicationContext;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services whose methods write several rows in one transaction are proxied by Micronaut's
 * transaction interceptor. With {@code jakarta.transaction.Transactional} they were not (this
 * module's annotation processing does not map that annotation), so an app's creation, a sign-up,
 * a release's snapshot and a restore's request were written statement by statement: a failure
 * half-way left half the rows.
 */
@MicronautTest(startApplication = false)
class TransactionsTest {
    @Inject ApplicationContext context;

    @Test
    void theServicesThatWriteSeveralRowsAreTransactional() {
        for (Class<?> service : List.of(AppService.class, AccountService.class, ReleaseService.class, RestoreService.class)) {
            Object bean = context.getBean(service);
            assertTrue(bean instanceof Intercepted, service.getSimpleName() + " is not intercepted: its @Transactional methods run without a transaction");
        }
    }
}
