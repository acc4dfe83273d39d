package io.cloudplane.infra.domain;

import io.cloudplane.infra.domain.DnsFindings.Problem;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@link DomainDns} with dnsjava, never through a cache: every question is sent with
 * {@link Resolver#send} (dnsjava's {@code Lookup} and its cache are not used), either to the
 * configured resolver ({@code cloudplane.dns.resolver}), or, unset, to the domain's authoritative name
 * servers without recursion. Those are found by walking up the name for its zone's NS records with
 * the system's resolvers (which only locate the servers; the records checked come from the servers
 * themselves).
 *
 * <p>Checks, in order: the ownership TXT record, then the host's CNAME (or A/AAAA with configured
 * addresses), then CAA (RFC 8659) when the authority has CAA identities.
 */
@Singleton
public class DnsjavaDomainDns implements DomainDns {
    private static final int DNS_PORT = 53;

    private final Duration timeout;
    private final Resolver configured;
    private final Resolver walk;
    private final int authoritativePort;

    @Inject
    public DnsjavaDomainDns(DnsSettings settings) {
        this(settings.timeout(), settings.resolver() == null || settings.resolver().isBlank() ? null : resolver(settings.resolver(), settings.timeout()),
                null, DNS_PORT);
    }

    /**
     * @param configured        the resolver asked every question, or null to ask authoritative servers
     * @param walk              the resolver that finds zones' NS records and their addresses (null: the system's)
     * @param authoritativePort the port authoritative servers answer on (53; a test's server elsewhere)
     */
    DnsjavaDomainDns(Duration timeout, Resolver configured, Resolver walk, int authoritativePort) {
        this.timeout = timeout;
        this.configured = configured;
        this.walk = walk;
        this.authoritativePort = authoritativePort;
    }

    @Override
    public DnsFindings check(DnsExpectation expected) {
        Questions questions = new Questions();
        try {
            String host = normalize(expected.hostname());
            DnsFindings txt = checkTxt(questions, host, expected.txtValue());
            if (txt != null) {
                return txt;
            }
            DnsFindings pointing = checkPointing(questions, host, expected);
            if (pointing != null) {
                return pointing;
            }
            DnsFindings caa = checkCaa(questions, host, expected.caaIdentities());
            if (caa != null) {
                return caa;
            }
            return new DnsFindings(Problem.NONE, "The TXT record " + challengeName(host) + " holds the token, "
                    + pointingDescription(questions.pointing) + (expected.caaIdentities().isEmpty() ? "" : ", and " + questions.caaDescription)
                    + ".");
        } catch (Unavailable e) {
            return new DnsFindings(Problem.DNS_UNAVAILABLE, "The DNS of " + expected.hostname() + " could not be read: " + e.getMessage()
                    + ". This is checked again shortly; if it lasts, check that the domain's name servers answer.");
        }
    }

    private DnsFindings checkTxt(Questions questions, String host, String token) throws Unavailable {
        String name = challengeName(host);
        List<String> values = questions.ask(name, Type.TXT).stream().filter(TXTRecord.class::isInstance)
                .map(r -> String.join("", ((TXTRecord) r).getStrings())).toList();
        String record = name + " TXT \"" + token + "\"";
        if (values.isEmpty()) {
            return new DnsFindings(Problem.TXT_MISSING, "No TXT record " + name + " was found. Create it: " + record + ".");
        }
        if (!values.contains(token)) {
            return new DnsFindings(Problem.TXT_MISMATCH, "The TXT record " + name + " holds " + quoted(values) + ", not \"" + token
                    + "\": change its value to \"" + token + "\" (" + record + ").");
        }
        return null;
    }

    private DnsFindings checkPointing(Questions questions, String host, DnsExpectation expected) throws Unavailable {
        String target = normalize(expected.cnameTarget());
        String create = host + " CNAME " + target;
        Optional<String> cname = questions.ask(host, Type.CNAME).stream()
                .filter(r -> r instanceof CNAMERecord && normalize(r.getName().toString()).equals(host))
                .map(r -> normalize(((CNAMERecord) r).getTarget().toString())).findFirst();
        if (cname.isPresent()) {
            if (cname.get().equals(target)) {
                questions.pointing = "the CNAME " + create;
                return null;
            }
            return new DnsFindings(Problem.POINTS_ELSEWHERE, host + " is a CNAME to " + cname.get() + ", not to " + target
                    + ": change it to " + create + ".");
        }
        List<String> found = new ArrayList<>();
        for (Record record : questions.ask(host, Type.A)) {
            if (record instanceof ARecord a) {
                found.add(a.rdataToString());
            }
        }
        for (Record record : questions.ask(host, Type.AAAA)) {
            if (record instanceof AAAARecord aaaa) {
                found.add(aaaa.rdataToString());
            }
        }
        List<String> ours = expected.addresses();
        if (found.isEmpty()) {
            return new DnsFindings(Problem.NOT_POINTING, host + " has no CNAME, A or AAAA record. Create " + create
                    + (ours.isEmpty() ? "" : " (or, for an apex domain, " + addressRecords(host, ours) + ")") + ".");
        }
        if (ours.isEmpty()) {
            return new DnsFindings(Problem.POINTS_ELSEWHERE, host + " has address records (" + String.join(", ", found)
                    + ") but no CNAME; addresses alone cannot show that it points at Cloudplane. Replace them with " + create + ".");
        }
        Set<InetAddress> allowed = ours.stream().map(DnsjavaDomainDns::address).collect(Collectors.toSet());
        List<String> foreign = found.stream().filter(a -> !allowed.contains(address(a))).toList();
        if (!foreign.isEmpty()) {
            return new DnsFindings(Problem.POINTS_ELSEWHERE, host + " has address records for " + String.join(", ", foreign)
                    + ", which are not Cloudplane's: replace them with " + addressRecords(host, ours) + ", or with " + create + ".");
        }
        questions.pointing = "the address records of " + host + " (" + String.join(", ", found) + ") are Cloudplane's";
        return null;
    }

    /** RFC 8659: the closest name, climbing from the host, with a CAA record set decides. */
    private DnsFindings checkCaa(Questions questions, String host, List<String> identities) throws Unavailable {
        if (identities.isEmpty()) {
            return null;
        }
        Set<String> allowedIssuers = identities.stream().map(i -> i.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        String add = "CAA 0 issue \"" + identities.get(0) + "\"";
        for (String name = host; name != null; name = parent(name)) {
            List<CAARecord> set = questions.ask(name, Type.CAA).stream().filter(CAARecord.class::isInstance).map(CAARecord.class::cast).toList();
            if (set.isEmpty()) {
                continue;
            }
            String described = set.stream().map(r -> r.getFlags() + " " + r.getTag() + " \"" + r.getValue() + "\"")
                    .collect(Collectors.joining(", "));
            boolean criticalUnknown = set.stream().anyMatch(r -> (r.getFlags() & 128) != 0
                    && !List.of("issue", "issuewild", "iodef").contains(r.getTag().toLowerCase(Locale.ROOT)));
            List<String> issuers = set.stream().filter(r -> r.getTag().equalsIgnoreCase("issue"))
                    .map(r -> r.getValue().split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).toList();
            boolean allowed = !criticalUnknown && (issuers.isEmpty() || issuers.stream().anyMatch(allowedIssuers::contains));
            if (allowed) {
                questions.caaDescription = "the CAA records at " + name + " (" + described + ") allow the certificate authority";
                return null;
            }
            return new DnsFindings(Problem.CAA_FORBIDS, "The CAA records at " + name + " (" + described
                    + ") do not allow Cloudplane's certificate authority" + (criticalUnknown ? " (a critical tag is not understood)" : "")
                    + ": add " + name + " " + add + (criticalUnknown ? " and remove the critical record" : "") + ".");
        }
        questions.caaDescription = "no CAA record restricts the certificate authority";
        return null;
    }

    private static String pointingDescription(String pointing) {
        return pointing == null ? "" : pointing.startsWith("the CNAME") ? "it has " + pointing : pointing;
    }

    /** The questions of one check, each sent to the resolver or to the authoritative servers of its name's zone. */
    private final class Questions {
        private final List<Zone> zones = new ArrayList<>();
        String pointing;
        String caaDescription;

        List<Record> ask(String name, int type) throws Unavailable {
            Resolver resolver = configured != null ? configured : zoneOf(name).servers;
            Message response = send(resolver, name, type, configured != null);
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return List.of();
            }
            if (rcode != Rcode.NOERROR) {
                throw new Unavailable("the question " + name + " " + Type.string(type) + " was answered " + Rcode.string(rcode));
            }
            return response.getSection(Section.ANSWER);
        }

        private Zone zoneOf(String name) throws Unavailable {
            Name asked = name(name);
            for (Zone zone : zones) {
                if (asked.subdomain(zone.name)) {
                    return zone;
                }
            }
            Zone zone = findZone(name);
            zones.add(zone);
            return zone;
        }
    }

    private record Zone(Name name, Resolver servers) {
    }

    /** Walks up from {@code name} to the closest name with NS records, and makes a resolver of those servers. */
    private Zone findZone(String name) throws Unavailable {
        Resolver walker = walk != null ? walk : systemResolver();
        for (String candidate = name; candidate != null; candidate = parent(candidate)) {
            Message response = send(walker, candidate, Type.NS, true);
            if (response.getRcode() == Rcode.NXDOMAIN) {
                continue;
            }
            if (response.getRcode() != Rcode.NOERROR) {
                throw new Unavailable("the question " + candidate + " NS was answered " + Rcode.string(response.getRcode()));
            }
            String zone = candidate;
            List<String> servers = response.getSection(Section.ANSWER).stream()
                    .filter(r -> r instanceof NSRecord && normalize(r.getName().toString()).equals(zone))
                    .map(r -> ((NSRecord) r).getTarget().toString()).toList();
            if (servers.isEmpty()) {
                continue;
            }
            Set<InetAddress> addresses = new LinkedHashSet<>();
            for (String server : servers) {
                for (int type : new int[]{Type.A, Type.AAAA}) {
                    for (Record record : send(walker, server, type, true).getSection(Section.ANSWER)) {
                        if (record instanceof ARecord a) {
                            addresses.add(a.getAddress());
                        } else if (record instanceof AAAARecord aaaa) {
                            addresses.add(aaaa.getAddress());
                        }
                    }
                }
            }
            if (addresses.isEmpty()) {
                throw new Unavailable("the name servers of " + candidate + " (" + String.join(", ", servers) + ") have no address");
            }
            List<Resolver> resolvers = addresses.stream().map(a -> (Resolver) simple(new InetSocketAddress(a, authoritativePort))).toList();
            ExtendedResolver all = new ExtendedResolver(resolvers);
            all.setTimeout(timeout);
            all.setRetries(1);
            return new Zone(name(candidate), all);
        }
        throw new Unavailable("no name server was found for " + name);
    }

    private Message send(Resolver resolver, String name, int type, boolean recursionDesired) throws Unavailable {
        Message query = Message.newQuery(Record.newRecord(name(name), type, DClass.IN));
        if (!recursionDesired) {
            query.getHeader().unsetFlag(Flags.RD);
        }
        try {
            return resolver.send(query);
        } catch (IOException e) {
            throw new Unavailable("no answer to " + name + " " + Type.string(type) + " within " + timeout.toMillis() + " ms");
        }
    }

    private Resolver systemResolver() throws Unavailable {
        try {
            ExtendedResolver resolver = new ExtendedResolver();
            resolver.setTimeout(timeout);
            return resolver;
        } catch (RuntimeException e) {
            throw new Unavailable("this machine has no DNS resolver configured");
        }
    }

    private SimpleResolver simple(InetSocketAddress address) {
        SimpleResolver resolver = new SimpleResolver(address);
        resolver.setTimeout(timeout);
        return resolver;
    }

    /** {@code host[:port]}; a truncated UDP answer is asked again over TCP (SimpleResolver does). */
    static SimpleResolver resolver(String hostPort, Duration timeout) {
        String host = hostPort.trim();
        int port = DNS_PORT;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(':') == colon) {
            port = Integer.parseInt(host.substring(colon + 1));
            host = host.substring(0, colon);
        } else if (host.startsWith("[") && host.contains("]:")) {
            port = Integer.parseInt(host.substring(host.indexOf("]:") + 2));
            host = host.substring(1, host.indexOf("]:"));
        }
        try {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(host), port));
            resolver.setTimeout(timeout);
            return resolver;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cloudplane.dns.resolver: unknown host " + host, e);
        }
    }

    private static String challengeName(String host) {
        return DomainRecord.CHALLENGE_LABEL + "." + host;
    }

    private static String addressRecords(String host, List<String> addresses) {
        return addresses.stream().map(a -> host + " " + (address(a) instanceof java.net.Inet6Address ? "AAAA" : "A") + " " + a)
                .collect(Collectors.joining(" and "));
    }

    private static String quoted(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "));
    }

    static String normalize(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The parent name, or null above a top-level domain. */
    private static String parent(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? null : name.substring(dot + 1);
    }

    private static Name name(String name) {
        try {
            return Name.fromString(normalize(name) + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    private static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }
}
