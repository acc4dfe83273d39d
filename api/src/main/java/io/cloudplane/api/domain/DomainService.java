package io.cloudplane.api.domain;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.gateway.HostNames;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problem;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.domain.CertificateRejectedException;
import io.cloudplane.infra.domain.Certificates;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.domain.DomainSettings;
import io.cloudplane.infra.domain.IssuedCertificate;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.workflows.domain.DomainStatus;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Custom domains' rows as the API changes them. The owner adds, verifies, uploads for and removes a
 * domain; the owner and developers read them; an end user gets 403, anyone else 404. Each refusal
 * changes nothing.
 */
@Singleton
public class DomainService {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String OWNER_ONLY = "Only the app's owner may add, change or remove its custom domains";
    private final AccessService access;
    private final DomainRepository domains;
    private final DomainNames names;
    private final DomainSettings settings;
    private final HostNames hostNames;
    private final Certificates certificates;
    private final SecretBox secrets;

    public DomainService(AccessService access, DomainRepository domains, DomainNames names, DomainSettings settings, HostNames hostNames,
                         Certificates certificates, SecretBox secrets) {
        this.access = access;
        this.domains = domains;
        this.names = names;
        this.settings = settings;
        this.hostNames = hostNames;
        this.certificates = certificates;
        this.secrets = secrets;
    }

    /** A domain with where its environment's gateway serves it, for its view and its workflow. */
    public record Found(DomainRecord domain, String gatewayHost) {
        public DomainView view(List<String> addresses) {
            return DomainView.of(domain, gatewayHost, addresses);
        }
    }

    public DomainView view(Found found) {
        return found.view(settings.addresses());
    }

    public List<DomainView> list(UUID caller, UUID appId, UUID envId) {
        EnvironmentRecord env = environment(caller, appId, envId, false);
        String gatewayHost = gatewayHost(env);
        return domains.findByEnvIdOrderByCreatedAt(envId).stream().map(d -> DomainView.of(d, gatewayHost, settings.addresses())).toList();
    }

    public Found get(UUID caller, UUID appId, UUID envId, UUID domainId, boolean write) {
        EnvironmentRecord env = environment(caller, appId, envId, write);
        DomainRecord domain = domains.findById(domainId).filter(d -> d.envId().equals(envId))
                .orElseThrow(() -> ApiException.notFound("Domain " + domainId));
        return new Found(domain, gatewayHost(env));
    }

    public Found add(UUID caller, UUID appId, UUID envId, String typed) {
        EnvironmentRecord env = environment(caller, appId, envId, true);
        String hostname = names.normalise(typed);
        if (env.type() != EnvironmentType.STAGING && env.type() != EnvironmentType.PRODUCTION) {
            throw ApiException.unprocessable("Custom domains are for staging and production environments; this one is "
                    + env.type().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (DomainNames.isApex(hostname) && settings.addresses().isEmpty()) {
            throw ApiException.unprocessable(DomainNames.FIELD, hostname + " is an apex domain, which cannot have a CNAME, and this"
                    + " Cloudplane has no public addresses configured for A/AAAA records: use a subdomain such as www." + hostname);
        }
        if (domains.findByHostname(hostname).isPresent()) {
            throw taken(hostname);
        }
        if (domains.countByEnvId(envId) >= settings.maxPerEnvironment()) {
            throw ApiException.conflict("This environment has " + settings.maxPerEnvironment()
                    + " custom domains, the most it may have: remove one first");
        }
        Instant now = Instant.now();
        DomainRecord domain = new DomainRecord(UUID.randomUUID(), appId, envId, hostname, DomainStatus.PENDING_VERIFICATION,
                "cp-" + HexFormat.of().formatHex(token()), caller, now, now,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        try {
            domains.save(domain);
        } catch (DataAccessException e) {
            if (domains.findByHostname(hostname).isPresent()) {
                throw taken(hostname); // another request added it meanwhile (the unique index)
            }
            throw e;
        }
        return new Found(domains.findById(domain.id()).orElseThrow(), gatewayHost(env));
    }

    /** A FAILED domain starts a fresh verification period; any other is only checked now. */
    public Found verify(UUID caller, UUID appId, UUID envId, UUID domainId) {
        Found found = get(caller, appId, envId, domainId, true);
        if (found.domain().status() == DomainStatus.FAILED) {
            domains.restartVerification(domainId, Instant.now());
            return new Found(domains.findById(domainId).orElseThrow(), found.gatewayHost());
        }
        return found;
    }

    public Found uploadCertificate(UUID caller, UUID appId, UUID envId, UUID domainId, String chainPem, String privateKeyPem) {
        Found found = get(caller, appId, envId, domainId, true);
        DomainRecord domain = found.domain();
        if (domain.verifiedAt() == null) {
            throw ApiException.conflict("The domain's DNS records are not verified yet: create the records it shows, wait for the"
                    + " status VERIFIED (or POST …/verify), then upload its certificate");
        }
        IssuedCertificate checked;
        try {
            checked = certificates.checkUpload(domain.hostname(), chainPem, privateKeyPem, Instant.now());
        } catch (CertificateRejectedException e) {
            throw ApiException.badRequest(e.field(), e.getMessage());
        }
        var facts = checked.facts();
        if (domains.installUploaded(domainId, checked.chainPem(), secrets.encrypt(checked.privateKeyPem()), facts.issuer(),
                facts.notBefore(), facts.notAfter(), DomainRecord.installationTime()) == 0) {
            throw ApiException.notFound("Domain " + domainId);
        }
        return new Found(domains.findById(domainId).orElseThrow(), found.gatewayHost());
    }

    public void remove(UUID caller, UUID appId, UUID envId, UUID domainId) {
        domains.deleteById(get(caller, appId, envId, domainId, true).domain().id());
    }

    public String gatewayHost(EnvironmentRecord env) {
        return hostNames.host(env.hostLabel(), GatewayDoor.APP);
    }

    private EnvironmentRecord environment(UUID caller, UUID appId, UUID envId, boolean write) {
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam(Access.END_USERS_REFUSED);
        if (write) {
            if (a.role() != Access.Role.OWNER) {
                throw ApiException.forbidden(OWNER_ONLY);
            }
            AppService.requireActive(a.app());
        }
        return env;
    }

    private static ApiException taken(String hostname) {
        String message = hostname + " is already a custom domain in Cloudplane (each domain can be added once)";
        return new ApiException(HttpStatus.CONFLICT, DomainNames.FIELD + ": " + message, List.of(new Problem.FieldError(DomainNames.FIELD,
                message)), null, null);
    }

    private static byte[] token() {
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
