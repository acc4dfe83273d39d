package io.cloudplane.worker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the statements this JVM sends to PostgreSQL, at the driver: PgJDBC logs every message it
 * sends to the server at FINEST (java.util.logging), and each statement run is one {@code Execute}
 * (extended protocol) or one {@code SimpleQuery}. Nothing in the application is wrapped or replaced.
 */
public final class QueryCounter extends Handler {
    private static final Logger PGJDBC = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
    private final AtomicInteger statements = new AtomicInteger();

    private QueryCounter() {
    }

    /** Starts counting, for the rest of the JVM's life. */
    public static QueryCounter install() {
        QueryCounter counter = new QueryCounter();
        counter.setLevel(Level.FINEST);
        PGJDBC.setLevel(Level.FINEST);
        PGJDBC.addHandler(counter);
        return counter;
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        if (message != null && (message.startsWith(" FE=> Execute(") || message.startsWith(" FE=> SimpleQuery("))) {
            statements.incrementAndGet();
        }
    }

    /** The statements run while {@code action} ran. */
    public int during(Runnable action) {
        int before = statements.get();
        action.run();
        return statements.get() - before;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
