package io.cloudplane.infra.domain;

import io.cloudplane.infra.crypto.SecretBox;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@link CertificateAuthority} over ACME with acme4j: one account per directory (its key pair sealed
 * in {@code acme_accounts}), HTTP-01 challenges written to {@code acme_challenges} for the gateway to
 * answer, a new EC P-256 key pair per certificate. The directory's HTTPS is trusted with the JDK's
 * CAs plus those of {@code cloudplane.domain.acme-trust-pem}, for acme4j's client only.
 */
@Singleton
public class AcmeCertificateAuthority implements CertificateAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeCertificateAuthority.class);
    /** How long a challenge row lives: the authority validates within seconds, a dead run's row expires. */
    static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(10);
    /** How long to wait for the authority to validate, then to issue. */
    private static final Duration DECISION_TIMEOUT = Duration.ofMinutes(3);
    private static final String ACME_ERROR = "urn:ietf:params:acme:error:";
    private static final Set<String> RETRYABLE_TYPES = Set.of("serverInternal", "badNonce", "rateLimited");

    private final DomainSettings settings;
    private final AcmeAccountRepository accounts;
    private final AcmeChallengeRepository challenges;
    private final SecretBox secrets;
    private final Certificates certificates;
    private final SSLContext trust;
    private volatile List<String> directoryCaaIdentities;

    public AcmeCertificateAuthority(DomainSettings settings, AcmeAccountRepository accounts, AcmeChallengeRepository challenges,
                                    SecretBox secrets, Certificates certificates) {
        this.settings = settings;
        this.accounts = accounts;
        this.challenges = challenges;
        this.secrets = secrets;
        this.certificates = certificates;
        this.trust = settings.acmeTrustPem() == null || settings.acmeTrustPem().isBlank()
                ? null : TrustFiles.sslContext(java.nio.file.Path.of(settings.acmeTrustPem()));
    }

    @Override
    public boolean configured() {
        return settings.acmeConfigured();
    }

    @Override
    public List<String> caaIdentities() {
        if (!configured()) {
            return settings.caaIdentities();
        }
        List<String> known = directoryCaaIdentities;
        if (known == null) {
            try {
                known = List.copyOf(session().getMetadata().getCaaIdentities());
                directoryCaaIdentities = known;
            } catch (AcmeException | RuntimeException e) {
                LOG.warn("Could not read the CAA identities of ACME directory {}: {}", settings.acmeDirectory(), e.toString());
                return settings.caaIdentities();
            }
        }
        return known.isEmpty() ? settings.caaIdentities() : known;
    }

    @Override
    public IssuedCertificate issue(String hostname, Runnable progress) throws CertificateRefusedException {
        if (!configured()) {
            throw new CertificateRefusedException("No ACME directory is configured (cloudplane.domain.acme-directory): upload a certificate.",
                    false, null);
        }
        List<String> tokens = new ArrayList<>();
        // What an attempt cut short by a crash left (its rows expire after 10 minutes and are never answered after): gone now.
        challenges.deleteExpired(java.time.Instant.now());
        try {
            Session session = session();
            Account account = account(session);
            progress.run();
            Order order = account.newOrder().domain(hostname).create();
            for (Authorization authorization : order.getAuthorizations()) {
                if (authorization.getStatus() != Status.VALID) {
                    prove(hostname, authorization, tokens, progress);
                }
            }
            KeyPair key = ecKeyPair();
            order.execute(key);
            Status status = await(order, progress);
            if (status != Status.VALID) {
                throw refusal(hostname, order.getError().orElse(null), "the order ended " + status);
            }
            List<X509Certificate> chain = order.getCertificate().getCertificateChain();
            StringBuilder chainPem = new StringBuilder();
            for (X509Certificate certificate : chain) {
                chainPem.append(PemCertificates.pem("CERTIFICATE", certificate.getEncoded()));
            }
            String pem = chainPem.toString();
            return new IssuedCertificate(pem, PemCertificates.pem("PRIVATE KEY", key.getPrivate().getEncoded()), certificates.inspect(pem));
        } catch (AcmeRateLimitedException e) {
            throw new CertificateRefusedException(authority() + " is rate limiting certificates for " + hostname + ": " + detail(e.getProblem())
                    + e.getRetryAfter().map(at -> " It accepts orders again after " + at + ".").orElse(""), true, e);
        } catch (AcmeServerException e) {
            throw refusal(hostname, e.getProblem(), e.getMessage());
        } catch (AcmeNetworkException e) {
            throw new CertificateRefusedException("Could not reach the certificate authority at " + settings.acmeDirectory() + ": "
                    + e.getMessage() + ". It is tried again later.", true, e);
        } catch (AcmeException | java.security.cert.CertificateEncodingException e) {
            throw new CertificateRefusedException("The certificate authority at " + settings.acmeDirectory() + " answered unexpectedly: "
                    + e.getMessage() + ". It is tried again later.", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CertificateRefusedException("The certificate order for " + hostname + " was interrupted.", true, e);
        } finally {
            for (String token : tokens) {
                challenges.deleteById(token);
            }
        }
    }

    private void prove(String hostname, Authorization authorization, List<String> tokens, Runnable progress)
            throws AcmeException, InterruptedException {
        Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow(() -> new CertificateRefusedException(
                authority() + " offers no HTTP-01 challenge for " + authorization.getIdentifier().getDomain()
                        + ", the only one Cloudplane answers: upload a certificate instead.", false, null));
        challenges.save(new AcmeChallengeRecord(challenge.getToken(), authorization.getIdentifier().getDomain(),
                challenge.getAuthorization(), Instant.now().plus(CHALLENGE_LIFETIME)));
        tokens.add(challenge.getToken());
        challenge.trigger();
        Status status = await(challenge, progress);
        if (status != Status.VALID) {
            throw refusal(hostname, challenge.getError().orElse(null), "the challenge ended " + status);
        }
    }

    /** Polls until the resource is VALID or INVALID, waiting as the authority's Retry-After says (0.5 to 3 s), calling {@code progress}. */
    private static Status await(PollableResource resource, Runnable progress) throws AcmeException, InterruptedException {
        Instant deadline = Instant.now().plus(DECISION_TIMEOUT);
        Set<Status> pending = Set.of(Status.PENDING, Status.PROCESSING, Status.READY);
        while (pending.contains(resource.getStatus()) || resource.getStatus() == Status.UNKNOWN) {
            if (Instant.now().isAfter(deadline)) {
                throw new CertificateRefusedException("The certificate authority did not decide within " + DECISION_TIMEOUT.toMinutes()
                        + " minutes. It is tried again later.", true, null);
            }
            progress.run();
            Instant retryAfter = resource.fetch().orElse(null);
            if (pending.contains(resource.getStatus())) {
                long wait = retryAfter == null ? 500 : Duration.between(Instant.now(), retryAfter).toMillis();
                Thread.sleep(Math.max(500, Math.min(3000, wait)));
            }
        }
        return resource.getStatus();
    }

    /** A refusal with the authority's own words; retryable only for what does not depend on the domain. */
    private CertificateRefusedException refusal(String hostname, Problem problem, String fallback) {
        String type = problem == null ? "" : problem.getType().toString();
        String shortType = type.startsWith(ACME_ERROR) ? type.substring(ACME_ERROR.length()) : type;
        boolean retryable = RETRYABLE_TYPES.contains(shortType);
        String words = problem == null ? fallback : detail(problem);
        return new CertificateRefusedException(authority() + " refused the certificate for " + hostname + ": " + words
                + (shortType.isEmpty() ? "" : " (" + shortType + ")") + (retryable ? ". It is tried again later." : ""), retryable, null);
    }

    /** The problem's detail, with its sub-problems' (one per identifier), else its title, else its type. */
    private static String detail(Problem problem) {
        StringBuilder words = new StringBuilder(problem.getDetail().or(problem::getTitle).orElse(problem.getType().toString()));
        for (Problem sub : problem.getSubProblems()) {
            words.append("; ").append(sub.getDetail().or(sub::getTitle).orElse(sub.getType().toString()));
        }
        return words.toString();
    }

    private String authority() {
        return "The certificate authority (" + settings.acmeDirectory() + ")";
    }

    /** The account of this directory, made on first use with a key pair kept sealed; the authority returns the same account for the same key. */
    private Account account(Session session) throws AcmeException {
        AcmeAccountRecord stored = accountRecord();
        KeyPair key = readKeyPair(secrets.decrypt(stored.keyPairSealed()));
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
        if (settings.acmeContact() != null && !settings.acmeContact().isBlank()) {
            builder.addEmail(settings.acmeContact().trim());
        }
        Account account = builder.create(session);
        String url = account.getLocation().toString();
        if (!url.equals(stored.accountUrl())) {
            accounts.update(new AcmeAccountRecord(stored.directoryUrl(), stored.keyPairSealed(), url, stored.createdAt()));
        }
        return account;
    }

    private synchronized AcmeAccountRecord accountRecord() {
        String directory = settings.acmeDirectory();
        return accounts.findById(directory).orElseGet(() -> {
            KeyPair key = KeyPairUtils.createKeyPair(2048);
            try {
                return accounts.save(new AcmeAccountRecord(directory, secrets.encrypt(writeKeyPair(key)), null, Instant.now()));
            } catch (DataAccessException anotherProcessMadeIt) {
                return accounts.findById(directory).orElseThrow(() -> anotherProcessMadeIt);
            }
        });
    }

    private Session session() {
        return new Session(URI.create(settings.acmeDirectory()), new TrustingProvider(trust));
    }

    /** acme4j's generic provider, with an HTTP client that trusts the configured CAs beside the JDK's. */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext trust;

        TrustingProvider(SSLContext trust) {
            this.trust = trust;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    HttpClient.Builder builder = super.createClientBuilder();
                    return trust == null ? builder : builder.sslContext(trust);
                }
            };
        }
    }

    /** EC P-256 from the JDK (acme4j's helper asks for BouncyCastle's provider, which is not installed globally). */
    private static KeyPair ecKeyPair() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    private static String writeKeyPair(KeyPair key) {
        StringWriter out = new StringWriter();
        try {
            KeyPairUtils.writeKeyPair(key, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static KeyPair readKeyPair(String pem) {
        try {
            return KeyPairUtils.readKeyPair(new StringReader(pem));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
