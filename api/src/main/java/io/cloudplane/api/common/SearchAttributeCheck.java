package io.cloudplane.api.common;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.temporal.NamespaceSearchAttributes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * At start-up, asks the Temporal namespace which of Cloudplane's search attributes it has, so that
 * the log says at once which are missing and how to register them (the first workflow start would
 * ask anyway). In the background: an unreachable cluster does not hold the start up.
 */
@Singleton
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class SearchAttributeCheck {
    private final NamespaceSearchAttributes attributes;

    public SearchAttributeCheck(NamespaceSearchAttributes attributes) {
        this.attributes = attributes;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        Thread check = new Thread(attributes::present, "search-attribute-check");
        check.setDaemon(true);
        check.start();
    }
}
