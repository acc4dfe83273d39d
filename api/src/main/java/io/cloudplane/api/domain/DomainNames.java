package io.cloudplane.api.domain;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import io.cloudplane.api.gateway.GatewaySettings;
import io.cloudplane.api.gateway.HostNames;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.runtime.kubernetes.KubernetesSettings;
import jakarta.inject.Singleton;

import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A custom domain's host name as the owner types it, checked and normalised: RFC 1123 after
 * {@link IDN#toASCII} (an internationalized name is kept as punycode), lower case, no trailing dot;
 * not an IP address; not under Cloudplane's own base domains. Whether it is an apex (a registrable
 * domain, which cannot have a CNAME) is decided by Guava's {@link InternetDomainName} with the public
 * suffix list it carries.
 */
@Singleton
public class DomainNames {
    static final String FIELD = "hostname";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private final List<String> ownDomains;

    public DomainNames(HostNames hostNames, GatewaySettings gateway, KubernetesSettings kubernetes) {
        this.ownDomains = List.of(hostNames.domain(), gateway.baseDomain(), kubernetes.baseDomain()).stream()
                .map(d -> d.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    /** The ASCII form to store, or a 400 naming {@code hostname} that says what is wrong. */
    public String normalise(String typed) {
        if (typed == null || typed.isBlank()) {
            throw ApiException.badRequest(FIELD, "must be a host name such as shop.example.com");
        }
        String name = typed.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (InetAddresses.isUriInetAddress(name) || InetAddresses.isInetAddress(name)) {
            throw ApiException.badRequest(FIELD, "must be a host name, not an IP address");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(FIELD, "is not a valid host name: " + e.getMessage());
        }
        if (ascii.length() > 253) {
            throw ApiException.badRequest(FIELD, "must be at most 253 characters (as ASCII)");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw ApiException.badRequest(FIELD, "must be a domain with at least two labels, such as shop.example.com");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw ApiException.badRequest(FIELD, "each label must be 1 to 63 letters, digits or hyphens, not beginning or ending"
                        + " with a hyphen: \"" + label + "\" is not");
            }
        }
        if (labels[labels.length - 1].matches("[0-9]+")) {
            throw ApiException.badRequest(FIELD, "must be a host name, not an IP address");
        }
        for (String own : ownDomains) {
            if (ascii.equals(own) || ascii.endsWith("." + own)) {
                throw ApiException.badRequest(FIELD, "is under Cloudplane's own domain " + own + ": its environments have those names already");
            }
        }
        InternetDomainName parsed = InternetDomainName.from(ascii);
        if (parsed.isPublicSuffix()) {
            throw ApiException.badRequest(FIELD, "is a public suffix (" + ascii + "), not a domain of its own");
        }
        return ascii;
    }

    /** A registrable domain (one label under a public suffix, e.g. example.co.uk): no CNAME allowed there, so A/AAAA records. */
    public static boolean isApex(String ascii) {
        InternetDomainName parsed = InternetDomainName.from(ascii);
        return parsed.isTopPrivateDomain();
    }
}
