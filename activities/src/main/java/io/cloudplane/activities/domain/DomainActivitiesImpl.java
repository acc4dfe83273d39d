package io.cloudplane.activities.domain;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.domain.CertificateAuthority;
import io.cloudplane.infra.domain.CertificateRefusedException;
import io.cloudplane.infra.domain.DnsExpectation;
import io.cloudplane.infra.domain.DnsFindings;
import io.cloudplane.infra.domain.DomainDns;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.domain.DomainSettings;
import io.cloudplane.infra.domain.IssuedCertificate;
import io.cloudplane.infra.mail.Mailer;
import io.cloudplane.infra.mail.SentMailRepository;
import io.cloudplane.infra.runtime.DomainRoute;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.domain.DnsCheck;
import io.cloudplane.workflows.domain.DomainActivities;
import io.cloudplane.workflows.domain.DomainState;
import io.micronaut.context.BeanProvider;
import io.temporal.activity.Activity;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The domain workflow's activities: thin, over {@link DomainRepository}'s conditional updates (a
 * retry, or a race with the API, changes nothing twice) and the ports {@link DomainDns} and
 * {@link CertificateAuthority}, looked up when first used.
 */
@Singleton
public class DomainActivitiesImpl implements DomainActivities, ControlPlaneActivities {
    /** What a verified domain's last check says when no certificate authority is configured. */
    static final String UPLOAD_NEEDED = " No certificate authority is configured here: upload the domain's certificate and key"
            + " (PUT …/domains/{id}/certificate) to serve it over HTTPS.";
    private final DomainRepository domains;
    private final BeanProvider<DomainDns> dns;
    private final BeanProvider<CertificateAuthority> authority;
    private final DomainSettings settings;
    private final SecretBox secrets;
    private final EnvironmentRuntime runtime;
    private final AppRepository apps;
    private final UserRepository users;
    private final SentMailRepository sent;
    private final Mailer mailer;
    private final String consoleUrl;

    public DomainActivitiesImpl(DomainRepository domains, BeanProvider<DomainDns> dns, BeanProvider<CertificateAuthority> authority,
                                DomainSettings settings, SecretBox secrets, EnvironmentRuntime runtime, AppRepository apps,
                                UserRepository users, SentMailRepository sent, Mailer mailer, CloudplaneSettings cloudplane) {
        this.domains = domains;
        this.dns = dns;
        this.authority = authority;
        this.settings = settings;
        this.secrets = secrets;
        this.runtime = runtime;
        this.apps = apps;
        this.users = users;
        this.sent = sent;
        this.mailer = mailer;
        this.consoleUrl = cloudplane.consoleUrl();
    }

    @Override
    public DomainState load(String domainId) {
        return find(domainId).map(d -> new DomainState(true, d.status(), d.certificateSource(), millis(d.certificateNotAfter()),
                millis(d.certificateInstalledAt()), d.certificateNotAfter() != null && d.certificateNotAfter().equals(d.expiryNoticeFor())))
                .orElse(DomainState.gone());
    }

    @Override
    public DnsCheck checkDns(String domainId, String gatewayHost) {
        Optional<DomainRecord> found = find(domainId);
        if (found.isEmpty()) {
            return new DnsCheck(false, false, null);
        }
        DomainRecord domain = found.get();
        boolean acme = settings.acmeConfigured() && authority.get().configured();
        List<String> caa = acme ? authority.get().caaIdentities() : List.of();
        DnsFindings findings = dns.get().check(new DnsExpectation(domain.hostname(), domain.challengeToken(), gatewayHost,
                settings.addresses(), caa));
        String result = findings.summary() + (findings.verified() && !acme && !domain.hasCertificate() ? UPLOAD_NEEDED : "");
        Instant now = Instant.now();
        domains.recordCheck(domain.id(), now, result);
        if (findings.verified()) {
            domains.markVerified(domain.id(), now);
        }
        return new DnsCheck(true, findings.verified(), result);
    }

    @Override
    public void restartVerification(String domainId) {
        domains.restartVerification(UUID.fromString(domainId), Instant.now());
    }

    @Override
    public void fail(String domainId, String reason) {
        domains.markFailed(UUID.fromString(domainId), reason, Instant.now());
    }

    @Override
    public void issueCertificate(String domainId, long replacingInstalledAt) {
        DomainRecord domain = find(domainId).orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("domain " + domainId + " is gone"));
        Instant replacing = replacingInstalledAt == 0 ? null : Instant.ofEpochMilli(replacingInstalledAt);
        int wanted = replacing == null ? domains.markIssuing(domain.id(), Instant.now())
                : domains.markRenewing(domain.id(), replacing, Instant.now());
        if (wanted == 0) {
            return; // a certificate was uploaded meanwhile: nothing to order
        }
        IssuedCertificate issued;
        try {
            issued = authority.get().issue(domain.hostname(), () -> Activity.getExecutionContext().heartbeat(null));
        } catch (CertificateRefusedException e) {
            if (replacing != null) {
                domains.recordRenewalFailure(domain.id(), replacing, e.getMessage(), Instant.now());
            }
            throw e.retryable() ? FailureType.CERTIFICATE_REFUSED.retryable(e.getMessage())
                    : FailureType.CERTIFICATE_REFUSED.nonRetryable(e.getMessage());
        }
        String sealed = secrets.encrypt(issued.privateKeyPem());
        var facts = issued.facts();
        if (replacing == null) {
            domains.installIssued(domain.id(), issued.chainPem(), sealed, facts.issuer(), facts.notBefore(), facts.notAfter(), DomainRecord.installationTime());
        } else {
            domains.installRenewed(domain.id(), replacing, issued.chainPem(), sealed, facts.issuer(), facts.notBefore(), facts.notAfter(),
                    DomainRecord.installationTime());
        }
    }

    @Override
    public void publish(String domainId) {
        Optional<DomainRecord> found = find(domainId);
        if (found.isEmpty() || !found.get().hasCertificate()) {
            return;
        }
        DomainRecord domain = found.get();
        runtime.publishDomain(new DomainRoute(domain.envId().toString(), domainId, domain.hostname(), domain.certificateChainPem(),
                secrets.decrypt(domain.certificateKeySealed())));
        domains.markActive(domain.id(), Instant.now());
    }

    @Override
    public void withdraw(String envId, String domainId, String hostname) {
        runtime.withdrawDomain(envId, domainId, hostname);
    }

    @Override
    public void sendExpiryNotice(String domainId, long notAfter) {
        String key = "domain-expiry/" + domainId + "/" + notAfter;
        Instant expiry = Instant.ofEpochMilli(notAfter);
        Optional<DomainRecord> found = find(domainId);
        if (sent.wasSent(key) || found.isEmpty() || !expiry.equals(found.get().certificateNotAfter())) {
            return; // sent already, or the domain or its certificate is no longer there
        }
        DomainRecord domain = found.get();
        Optional<AppRecord> app = apps.findById(domain.appId());
        Optional<UserRecord> owner = app.flatMap(a -> users.findById(a.ownerId()));
        if (owner.isPresent()) {
            mailer.send(DomainMail.expiryNotice(owner.get().email(), owner.get().firstName(), app.get().name(), domain.hostname(),
                    domain.certificateSource(), expiry, domain.renewalFailure(), consoleUrl));
        }
        sent.markSent(key, Instant.now());
        domains.markExpiryNotice(domain.id(), expiry);
    }

    private Optional<DomainRecord> find(String domainId) {
        return domains.findById(UUID.fromString(domainId));
    }

    private static long millis(Instant at) {
        return at == null ? 0 : at.toEpochMilli();
    }
}
