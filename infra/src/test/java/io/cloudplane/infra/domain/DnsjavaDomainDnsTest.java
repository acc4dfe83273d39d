package io.cloudplane.infra.domain;

import io.cloudplane.infra.domain.DnsFindings.Problem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against Pebble's DNS test server, which holds the records each test sets (one parent name per test). */
class DnsjavaDomainDnsTest {
    private static final String TOKEN = "cp-0123456789abcdef";
    private static final String GATEWAY = "env-1.gw.cloudplane.test";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static PebbleServers pebble;
    private static DnsjavaDomainDns dns;

    @BeforeAll
    static void start() {
        pebble = PebbleServers.start(PebbleServers.freePort());
        dns = new DnsjavaDomainDns(new DnsSettings(pebble.dnsResolver(), TIMEOUT));
    }

    @AfterAll
    static void stop() {
        if (pebble != null) {
            pebble.close();
        }
    }

    /** A fresh name under its own parent, so that tests do not see each other's records. */
    private static String host() {
        return "shop.t" + SEQUENCE.incrementAndGet() + ".example.test";
    }

    private static DnsExpectation expect(String host, List<String> addresses, List<String> caaIdentities) {
        return new DnsExpectation(host, TOKEN, GATEWAY, addresses, caaIdentities);
    }

    private static DnsExpectation expect(String host) {
        return expect(host, List.of(), List.of());
    }

    @Test
    void aMissingTxtRecordComesFirstAndNamesTheRecordToCreate() {
        String host = host();
        pebble.setCname(host, "elsewhere.example.net"); // also wrong, but the TXT record is asked for first
        DnsFindings findings = dns.check(expect(host));
        assertEquals(Problem.TXT_MISSING, findings.problem());
        assertEquals("No TXT record _cloudplane-challenge." + host + " was found. Create it: _cloudplane-challenge." + host
                + " TXT \"" + TOKEN + "\".", findings.summary());
    }

    @Test
    void aTxtRecordWithAnotherValueIsAMismatchSayingWhatItHolds() {
        String host = host();
        pebble.setTxt("_cloudplane-challenge." + host, "abc");
        DnsFindings findings = dns.check(expect(host));
        assertEquals(Problem.TXT_MISMATCH, findings.problem());
        assertEquals("The TXT record _cloudplane-challenge." + host + " holds \"abc\", not \"" + TOKEN + "\": change its value to \""
                + TOKEN + "\" (_cloudplane-challenge." + host + " TXT \"" + TOKEN + "\").", findings.summary());
    }

    @Test
    void aRecordJustSetIsSeenAtOnce() {
        String host = host();
        pebble.setTxt("_cloudplane-challenge." + host, "old");
        assertEquals(Problem.TXT_MISMATCH, dns.check(expect(host)).problem());
        pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
        pebble.setCname(host, GATEWAY);
        assertEquals(Problem.NONE, dns.check(expect(host)).problem());
    }

    @Test
    void withTheTxtRecordRightAHostWithNoRecordIsNotPointing() {
        String host = host();
        pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
        DnsFindings findings = dns.check(expect(host));
        assertEquals(Problem.NOT_POINTING, findings.problem());
        assertEquals(host + " has no CNAME, A or AAAA record. Create " + host + " CNAME " + GATEWAY + ".", findings.summary());

        findings = dns.check(expect(host, List.of("203.0.113.7", "2001:db8::7"), List.of()));
        assertEquals(host + " has no CNAME, A or AAAA record. Create " + host + " CNAME " + GATEWAY + " (or, for an apex domain, "
                + host + " A 203.0.113.7 and " + host + " AAAA 2001:db8::7).", findings.summary());
    }

    @Test
    void aCnameToTheGatewayIsComparedIgnoringCaseAndTheTrailingDot() {
        String host = host();
        pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
        pebble.setCname(host, "other.example.net");
        DnsFindings findings = dns.check(expect(host));
        assertEquals(Problem.POINTS_ELSEWHERE, findings.problem());
        assertEquals(host + " is a CNAME to other.example.net, not to " + GATEWAY + ": change it to " + host + " CNAME " + GATEWAY + ".",
                findings.summary());

        pebble.clearCname(host);
        pebble.setCname(host, GATEWAY);
        findings = dns.check(new DnsExpectation(host.toUpperCase(), TOKEN, GATEWAY.toUpperCase() + ".", List.of(), List.of()));
        assertEquals(Problem.NONE, findings.problem(), findings.summary());
        assertEquals("The TXT record _cloudplane-challenge." + host + " holds the token, it has the CNAME " + host + " CNAME " + GATEWAY + ".",
                findings.summary());
    }

    @Test
    void addressRecordsPointOnlyWhenAllAreTheConfiguredOnes() {
        String host = host();
        pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
        pebble.addA(host, "203.0.113.7");
        pebble.addAaaa(host, "2001:db8::7");

        DnsFindings noneConfigured = dns.check(expect(host));
        assertEquals(Problem.POINTS_ELSEWHERE, noneConfigured.problem());
        assertEquals(host + " has address records (203.0.113.7, 2001:db8:0:0:0:0:0:7) but no CNAME; addresses alone cannot show that it "
                + "points at Cloudplane. Replace them with " + host + " CNAME " + GATEWAY + ".", noneConfigured.summary());

        DnsFindings ours = dns.check(expect(host, List.of("203.0.113.7", "2001:DB8:0::7"), List.of()));
        assertEquals(Problem.NONE, ours.problem(), ours.summary());

        pebble.addA(host, "198.51.100.1");
        DnsFindings foreign = dns.check(expect(host, List.of("203.0.113.7", "2001:db8::7"), List.of()));
        assertEquals(Problem.POINTS_ELSEWHERE, foreign.problem());
        assertEquals(host + " has address records for 198.51.100.1, which are not Cloudplane's: replace them with " + host
                + " A 203.0.113.7 and " + host + " AAAA 2001:db8::7, or with " + host + " CNAME " + GATEWAY + ".", foreign.summary());
    }

    @Test
    void theClosestCaaRecordSetDecidesClimbingFromTheHost() {
        String host = host();
        String parent = host.substring(host.indexOf('.') + 1);
        pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
        // address records, not a CNAME: a name with a CNAME has no records of its own (its CAA would be the target's)
        pebble.addA(host, "203.0.113.7");
        List<String> addresses = List.of("203.0.113.7");
        List<String> letsEncrypt = List.of("letsencrypt.org");

        DnsFindings noCaa = dns.check(expect(host, addresses, letsEncrypt));
        assertEquals(Problem.NONE, noCaa.problem(), noCaa.summary());
        assertTrue(noCaa.summary().endsWith("and no CAA record restricts the certificate authority."), noCaa.summary());

        pebble.addCaa(parent, "issue", "digicert.com");
        DnsFindings forbidden = dns.check(expect(host, addresses, letsEncrypt));
        assertEquals(Problem.CAA_FORBIDS, forbidden.problem());
        assertEquals("The CAA records at " + parent + " (0 issue \"digicert.com\") do not allow Cloudplane's certificate authority: add "
                + parent + " CAA 0 issue \"letsencrypt.org\".", forbidden.summary());
        // no CAA identities (an uploaded certificate, or an authority that names none): no CAA check
        assertEquals(Problem.NONE, dns.check(expect(host, addresses, List.of())).problem());

        // a set at the host itself is closer, and allows the authority (with parameters after the domain)
        pebble.addCaa(host, "issue", "LetsEncrypt.org; validationmethods=http-01");
        DnsFindings allowed = dns.check(expect(host, addresses, letsEncrypt));
        assertEquals(Problem.NONE, allowed.problem(), allowed.summary());

        // a set with only iodef/issuewild tags restricts nothing for a non-wildcard name
        String other = host();
        pebble.setTxt("_cloudplane-challenge." + other, TOKEN);
        pebble.addA(other, "203.0.113.7");
        pebble.addCaa(other, "iodef", "mailto:security@example.test");
        assertEquals(Problem.NONE, dns.check(expect(other, addresses, letsEncrypt)).problem());
        // an empty issue value forbids every authority
        pebble.addCaa(other, "issue", ";");
        assertEquals(Problem.CAA_FORBIDS, dns.check(expect(other, addresses, letsEncrypt)).problem());
    }

    @Test
    void servfailAndSilenceAreDnsUnavailable() throws Exception {
        String host = host();
        pebble.setServfail("_cloudplane-challenge." + host);
        DnsFindings servfail = dns.check(expect(host));
        assertEquals(Problem.DNS_UNAVAILABLE, servfail.problem());
        assertTrue(servfail.summary().contains("was answered SERVFAIL"), servfail.summary());

        pebble.clearServfail("_cloudplane-challenge." + host);
        pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
        pebble.setServfail(host);
        assertEquals(Problem.DNS_UNAVAILABLE, dns.check(expect(host)).problem());

        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsjavaDomainDns nobody = new DnsjavaDomainDns(new DnsSettings("127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(300)));
            DnsFindings timeout = nobody.check(expect(host));
            assertEquals(Problem.DNS_UNAVAILABLE, timeout.problem());
            assertTrue(timeout.summary().contains("no answer to _cloudplane-challenge." + host + " TXT within 300 ms"), timeout.summary());
        }
    }

    /**
     * Without a configured resolver: Pebble's DNS test server does not answer NS questions (it says
     * "not implemented"), so a small server of the test's plays the part of the system's resolver for
     * the walk (the NS records of example.test and test, and their server's address), and the
     * questions themselves go to Pebble's DNS server as the zone's authoritative server.
     */
    @Test
    void withoutAResolverTheZonesAuthoritativeServersAreFoundAndAskedDirectly() throws Exception {
        String[] challengeServer = pebble.dnsResolver().split(":");
        try (DelegationServer walk = new DelegationServer(Set.of("example.test.", "test."), "ns1.example.test.")) {
            DnsjavaDomainDns authoritative = new DnsjavaDomainDns(TIMEOUT, null, walk.resolver(), Integer.parseInt(challengeServer[1]));
            String host = host();
            assertEquals(Problem.TXT_MISSING, authoritative.check(expect(host)).problem());
            pebble.setTxt("_cloudplane-challenge." + host, TOKEN);
            pebble.setCname(host, GATEWAY);
            DnsFindings findings = authoritative.check(expect(host, List.of(), List.of("letsencrypt.org")));
            assertEquals(Problem.NONE, findings.problem(), findings.summary());
            // the walk went up from the challenge name to the zone, then asked for the server's address
            assertTrue(walk.asked.containsKey("_cloudplane-challenge." + host + ". NS"), walk.asked.toString());
            assertTrue(walk.asked.containsKey("example.test. NS"), walk.asked.toString());
            assertTrue(walk.asked.containsKey("ns1.example.test. A"), walk.asked.toString());
            // the CAA climb above example.test found the zone test. (its own walk)
            assertTrue(walk.asked.containsKey("test. NS"), walk.asked.toString());
            // the records themselves were never asked of the walk's resolver
            assertTrue(walk.asked.keySet().stream().noneMatch(q -> q.endsWith(" TXT") || q.endsWith(" CNAME") || q.endsWith(" CAA")),
                    walk.asked.toString());
        }

        try (DelegationServer empty = new DelegationServer(Set.of(), "ns1.example.test.")) {
            DnsjavaDomainDns authoritative = new DnsjavaDomainDns(TIMEOUT, null, empty.resolver(), Integer.parseInt(challengeServer[1]));
            DnsFindings findings = authoritative.check(expect(host()));
            assertEquals(Problem.DNS_UNAVAILABLE, findings.problem());
            assertTrue(findings.summary().contains("no name server was found for _cloudplane-challenge."), findings.summary());
        }
    }

    /** Answers NS questions for the given zones with one server, that server's A question with 127.0.0.1, and nothing else. */
    private static final class DelegationServer implements AutoCloseable {
        final Map<String, Integer> asked = new ConcurrentHashMap<>();
        private final DatagramSocket socket;
        private final Thread thread;

        DelegationServer(Set<String> zones, String server) throws IOException {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buffer = new byte[4096];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                        Record question = query.getQuestion();
                        asked.merge(question.getName() + " " + Type.string(question.getType()), 1, Integer::sum);
                        Message answer = new Message(query.getHeader().getID());
                        answer.getHeader().setFlag(Flags.QR);
                        answer.getHeader().setFlag(Flags.RA);
                        answer.addRecord(question, Section.QUESTION);
                        String name = question.getName().toString().toLowerCase();
                        if (question.getType() == Type.NS && zones.contains(name)) {
                            answer.addRecord(new NSRecord(question.getName(), DClass.IN, 60, Name.fromString(server)), Section.ANSWER);
                        } else if (question.getType() == Type.A && name.equals(server)) {
                            answer.addRecord(new ARecord(question.getName(), DClass.IN, 60, InetAddress.getLoopbackAddress()), Section.ANSWER);
                        } else if (name.startsWith("_cloudplane-challenge.")) {
                            answer.getHeader().setRcode(Rcode.NXDOMAIN);
                        }
                        byte[] wire = answer.toWire();
                        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                    } catch (IOException closed) {
                        // the socket was closed
                    }
                }
            }, "delegation-dns");
            thread.setDaemon(true);
            thread.start();
        }

        SimpleResolver resolver() {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort()));
            resolver.setTimeout(TIMEOUT);
            return resolver;
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2000);
        }
    }
}
