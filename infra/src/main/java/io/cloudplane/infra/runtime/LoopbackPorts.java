package io.cloudplane.infra.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for local servers. A port is chosen here and bound by the server's own process
 * a second or two later, so two things could take it in between, and both did (the crash harness
 * saw a server exit with "Address already in use"):
 * <ul>
 *   <li>any outgoing connection of the machine, whose local port Linux picks from the ephemeral
 *   range ({@code net.ipv4.ip_local_port_range}, 32768–60999), where a port-0 bind picks too.
 *   Ports are therefore chosen from {@value #LOW}–{@value #HIGH}, below that range, as Nomad's
 *   dynamic ports are;</li>
 *   <li>another server of this process being started at the same moment: a port handed out is
 *   held back for {@value #HOLD_MILLIS} ms, by then long bound by its server.</li>
 * </ul>
 */
final class LoopbackPorts {
    static final int LOW = 20000;
    static final int HIGH = 32767;
    static final long HOLD_MILLIS = 60_000;
    private static final int ATTEMPTS = 500;
    private static final Map<Integer, Long> HANDED_OUT = new ConcurrentHashMap<>();

    private LoopbackPorts() {
    }

    /** {@code preferred} if it is free, else a free one of {@value #LOW}–{@value #HIGH}. */
    static int choose(Integer preferred) {
        long now = System.currentTimeMillis();
        forgetOld(now);
        if (preferred != null && preferred > 0 && isFree(preferred)) {
            // the environment's own port (its URL stays the same): held for it again, even if handed out lately
            HANDED_OUT.put(preferred, now);
            return preferred;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = random.nextInt(LOW, HIGH + 1);
            if (!HANDED_OUT.containsKey(port) && isFree(port) && hold(port, now)) {
                return port;
            }
        }
        throw new IllegalStateException("No free port on 127.0.0.1 from " + LOW + " to " + HIGH + " after " + ATTEMPTS + " tries");
    }

    private static boolean hold(int port, long now) {
        return HANDED_OUT.putIfAbsent(port, now) == null;
    }

    private static void forgetOld(long now) {
        for (Iterator<Map.Entry<Integer, Long>> it = HANDED_OUT.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue() > HOLD_MILLIS) {
                it.remove();
            }
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
