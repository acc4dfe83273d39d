package io.cloudplane.infra.embedded;

import io.temporal.internal.testservice.TestServicesStarter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.LinkedList;
import java.util.concurrent.locks.Lock;

/**
 * Temporal's Java test server (1.38.0) keeps a debugging log of time-lock events in
 * {@code SelfAdvancingTimerImpl.lockEvents}, a {@link LinkedList} that only ever grows: every
 * workflow task, activity and child workflow adds entries that nothing removes. Each state update
 * then removes its own entry with a scan from the head of that list, under the server's one global
 * timer lock. An embedded server that runs for weeks therefore leaks memory and slows down in
 * proportion to everything it ever did (docs/benchmarks.md, issue 3: 58% of CPU in a burst of
 * sleeps went there).
 *
 * <p>The log is used only to print diagnostics when the server detects unbalanced locks. This class
 * swaps it, once, at start-up, for a list that keeps nothing. It is guarded: if the field is
 * missing or of another type (a newer test server), nothing is changed and a warning is logged.
 */
final class TimeLockEventLog {
    private static final Logger LOG = LoggerFactory.getLogger(TimeLockEventLog.class);

    private TimeLockEventLog() {
    }

    /** Returns true when the log was replaced by one that keeps nothing. */
    static boolean stopRetaining(TestServicesStarter services) {
        try {
            Object timer = field(TestServicesStarter.class, "selfAdvancingTimer").get(services);
            Field events = field(timer.getClass(), "lockEvents");
            if (events.getType() != LinkedList.class) {
                LOG.warn("The embedded Temporal's time-lock log is a {}: left as it is", events.getType().getName());
                return false;
            }
            Lock lock = (Lock) field(timer.getClass(), "lock").get(timer);
            lock.lock();
            try {
                events.set(timer, new KeepsNothing());
            } finally {
                lock.unlock();
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("The embedded Temporal's time-lock log could not be replaced ({}): it will grow with every task", e.toString());
            return false;
        }
    }

    /** How many events the server's log holds now, or -1 if it cannot be read. For tests and diagnostics. */
    static int retained(TestServicesStarter services) {
        try {
            Object timer = field(TestServicesStarter.class, "selfAdvancingTimer").get(services);
            Lock lock = (Lock) field(timer.getClass(), "lock").get(timer);
            lock.lock();
            try {
                return ((LinkedList<?>) field(timer.getClass(), "lockEvents").get(timer)).size();
            } finally {
                lock.unlock();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    /**
     * A log that records nothing. {@code remove} answers true, as it would for an event the
     * server logged itself, so that the server's balance check still passes.
     */
    private static final class KeepsNothing extends LinkedList<Object> {
        @Override
        public boolean add(Object event) {
            return true;
        }

        @Override
        public boolean remove(Object event) {
            return true;
        }
    }
}
