package io.cloudplane.worker;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

import javax.sql.DataSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the statements Cloudplane sends to its database (datasource-proxy around the data source),
 * in a test that sets {@code cloudplane.test.count-queries}.
 */
@Singleton
@Requires(property = "cloudplane.test.count-queries", value = "true")
public class QueryCounter implements BeanCreatedEventListener<DataSource> {
    private final AtomicInteger statements = new AtomicInteger();

    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
        return ProxyDataSourceBuilder.create(event.getBean())
                .afterQuery((execution, queries) -> statements.addAndGet(queries.size()))
                .build();
    }

    /** The statements run while {@code action} ran. */
    public int during(Runnable action) {
        int before = statements.get();
        action.run();
        return statements.get() - before;
    }
}
