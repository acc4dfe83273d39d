package io.cloudplane.workflows.domain;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The domain's workflow with time skipping, against a fake row: verification with back-off, the
 * verify signal, the 7-day give-up, ACME issuance and refusal, an upload, renewal, the expiry email
 * and the removal, each at its exact boundary.
 */
class DomainWorkflowTest {
    private static final String ID = "0d0d0d0d-1111-2222-3333-444444444444";
    private static final String ENV = "e0e0e0e0-1111-2222-3333-444444444444";
    private static final String HOST = "shop.example.com";
    private static final String GATEWAY_HOST = "k3x9.apps.cloudplane.test";
    private static final Duration DAY = Duration.ofDays(1);

    private final FakeDomain row = new FakeDomain();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(DomainWorkflowImpl.class)
            .setActivityImplementations(row)
            .build();

    /** The domain's row, the DNS and the authority, as the activities see them; each call recorded with its (skipped) time. */
    static final class FakeDomain implements DomainActivities {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Long> checks = new CopyOnWriteArrayList<>();
        final List<Long> notices = new CopyOnWriteArrayList<>();
        volatile TestWorkflowEnvironment env;
        volatile boolean exists = true;
        volatile DomainStatus status = DomainStatus.PENDING_VERIFICATION;
        volatile String failureReason;
        volatile CertificateSource source;
        volatile long notAfter;
        volatile long installedAt;
        volatile long noticeFor;
        /** DNS checks that still find the TXT record missing. */
        volatile int wrongChecks;
        /** The authority's refusal of the next first issuance, if any. */
        volatile String refusal;
        volatile int failingRenewals;
        volatile Duration validity = Duration.ofDays(90);

        long now() {
            return env.currentTimeMillis();
        }

        void install(CertificateSource from) {
            installedAt = now();
            notAfter = installedAt + validity.toMillis();
            source = from;
        }

        @Override
        public DomainState load(String domainId) {
            return exists ? new DomainState(true, status, source, notAfter, installedAt, notAfter != 0 && noticeFor == notAfter)
                    : DomainState.gone();
        }

        @Override
        public DnsCheck checkDns(String domainId, String gatewayHost) {
            assertEquals(GATEWAY_HOST, gatewayHost);
            if (!exists) {
                return new DnsCheck(false, false, null);
            }
            checks.add(now());
            if (wrongChecks > 0) {
                wrongChecks--;
                return new DnsCheck(true, false, "No TXT record at _cloudplane-challenge." + HOST);
            }
            if (status == DomainStatus.PENDING_VERIFICATION) {
                status = DomainStatus.VERIFIED;
            }
            return new DnsCheck(true, true, "verified");
        }

        @Override
        public void restartVerification(String domainId) {
            calls.add("restart");
            if (status == DomainStatus.FAILED) {
                status = DomainStatus.PENDING_VERIFICATION;
                failureReason = null;
            }
        }

        @Override
        public void fail(String domainId, String reason) {
            status = DomainStatus.FAILED;
            failureReason = reason;
        }

        @Override
        public void issueCertificate(String domainId, long replacingInstalledAt) {
            calls.add((replacingInstalledAt == 0 ? "issue" : "renew") + " at " + now());
            if (replacingInstalledAt == 0) {
                status = DomainStatus.ISSUING;
                if (refusal != null) {
                    String words = refusal;
                    refusal = null;
                    throw FailureType.CERTIFICATE_REFUSED.nonRetryable(words);
                }
            } else {
                status = DomainStatus.RENEWING;
                if (failingRenewals > 0) {
                    failingRenewals--;
                    throw FailureType.CERTIFICATE_REFUSED.nonRetryable("rate limited");
                }
            }
            install(CertificateSource.ACME);
        }

        @Override
        public void publish(String domainId) {
            calls.add("publish");
            status = DomainStatus.ACTIVE;
        }

        @Override
        public void withdraw(String envId, String domainId, String hostname) {
            calls.add("withdraw " + envId + " " + domainId + " " + hostname);
        }

        @Override
        public void sendExpiryNotice(String domainId, long certificateNotAfter) {
            notices.add(certificateNotAfter);
            noticeFor = certificateNotAfter;
        }

        long count(String prefix) {
            return calls.stream().filter(c -> c.startsWith(prefix)).count();
        }
    }

    private DomainWorkflow start(TestWorkflowEnvironment env, WorkflowClient client, Worker worker, boolean acme) {
        row.env = env;
        DomainWorkflow workflow = client.newWorkflowStub(DomainWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.domain(ID)).setTaskQueue(worker.getTaskQueue()).build());
        WorkflowClient.start(workflow::run, new DomainInput(ID, ENV, HOST, GATEWAY_HOST, acme, Duration.ofDays(7).toMillis(), 5_000,
                Duration.ofHours(1).toMillis(), Duration.ofDays(30).toMillis(), Duration.ofDays(14).toMillis()));
        return workflow;
    }

    /** A stub of the latest run (after a continue-as-new too). */
    private static DomainWorkflow current(WorkflowClient client) {
        return client.newWorkflowStub(DomainWorkflow.class, WorkflowIds.domain(ID));
    }

    private static boolean running(WorkflowClient client) {
        return client.newUntypedWorkflowStub(WorkflowIds.domain(ID)).describe().getStatus()
                == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }

    private static void awaitEnd(WorkflowClient client) throws Exception {
        client.newUntypedWorkflowStub(WorkflowIds.domain(ID)).getResult(10, TimeUnit.SECONDS, Void.class);
    }

    @Test
    void verifiesAfterChecksThatBackOffThenIssuesOverAcmeAndEndsWhenRemoved(TestWorkflowEnvironment env, WorkflowClient client,
                                                                          Worker worker) throws Exception {
        row.wrongChecks = 4;
        DomainWorkflow workflow = start(env, client, worker, true);
        env.sleep(Duration.ofMinutes(2));
        assertEquals(5, row.checks.size(), row.checks.toString());
        List<Long> gaps = List.of(row.checks.get(1) - row.checks.get(0), row.checks.get(2) - row.checks.get(1),
                row.checks.get(3) - row.checks.get(2), row.checks.get(4) - row.checks.get(3));
        assertEquals(List.of(5_000L, 10_000L, 20_000L, 40_000L), gaps.stream().map(g -> g / 1000 * 1000).toList(), "doubling from 5 s");
        assertEquals(DomainStatus.ACTIVE, row.status);
        assertEquals(CertificateSource.ACME, row.source);
        assertEquals(1, row.count("issue"));
        assertEquals(1, row.count("publish"));

        workflow.removed();
        awaitEnd(client);
        assertEquals("withdraw " + ENV + " " + ID + " " + HOST, row.calls.get(row.calls.size() - 1));
        Histories.saveIfAsked(client, WorkflowIds.domain(ID), "DomainWorkflow", "verified-issued-removed.json");
    }

    /** A cancel while it waits for the DNS stops the check, not the domain: FAILED saying so, and a verify starts afresh. */
    @Test
    void aCancelWhileWaitingForTheDnsFailsTheCheckSayingSoAndTheDomainKeepsItsWorkflow(TestWorkflowEnvironment env, WorkflowClient client,
                                                                                   Worker worker) {
        row.wrongChecks = Integer.MAX_VALUE;
        start(env, client, worker, true);
        env.sleep(Duration.ofHours(1));
        String firstRun = client.newUntypedWorkflowStub(WorkflowIds.domain(ID)).describe().getExecution().getRunId();
        client.newUntypedWorkflowStub(WorkflowIds.domain(ID)).cancel();
        env.sleep(Duration.ofSeconds(5));
        assertEquals(DomainStatus.FAILED, row.status);
        assertEquals(DomainWorkflowImpl.CHECK_CANCELLED, row.failureReason);
        int checks = row.checks.size();
        env.sleep(Duration.ofDays(2));
        assertEquals(checks, row.checks.size(), "no check after the cancel until asked");
        assertTrue(running(client), "the domain keeps its workflow");

        row.wrongChecks = 0;
        current(client).verifyNow();
        env.sleep(Duration.ofSeconds(30));
        assertEquals(1, row.count("restart"));
        assertEquals(DomainStatus.ACTIVE, row.status, "a fresh check, verified, issued");
        assertTrue(running(client), "still the domain's workflow, serving");
        current(client).removed();
        env.sleep(Duration.ofSeconds(5));
        assertEquals("withdraw " + ENV + " " + ID + " " + HOST, row.calls.get(row.calls.size() - 1));
        Histories.saveIfAsked(client, WorkflowIds.domain(ID), firstRun, "DomainWorkflow", "check-cancelled.json");
    }

    @Test
    void verifyNowChecksAtOnceInsteadOfWaitingOutTheBackOff(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        row.wrongChecks = Integer.MAX_VALUE;
        DomainWorkflow workflow = start(env, client, worker, true);
        env.sleep(Duration.ofHours(3)); // the back-off is at its hour by now
        int before = row.checks.size();
        row.wrongChecks = 0;
        long signalledAt = env.currentTimeMillis();
        workflow.verifyNow();
        env.sleep(Duration.ofSeconds(2));
        assertEquals(before + 1, row.checks.size());
        assertTrue(row.checks.get(before) - signalledAt < 2_000, "checked at once");
        assertEquals(DomainStatus.ACTIVE, row.status);
    }

    @Test
    void givesUpSevenDaysAfterTheChecksBeganThenAVerifyStartsAFreshPeriod(TestWorkflowEnvironment env, WorkflowClient client,
                                                                       Worker worker) {
        row.wrongChecks = Integer.MAX_VALUE;
        start(env, client, worker, true);
        env.sleep(Duration.ofDays(7).minusMinutes(1));
        assertEquals(DomainStatus.PENDING_VERIFICATION, row.status, "one minute before 7 days: still checking");
        env.sleep(Duration.ofMinutes(2));
        assertEquals(DomainStatus.FAILED, row.status, "one minute after");
        assertEquals("No TXT record at _cloudplane-challenge." + HOST, row.failureReason, "the last result is the reason");
        int checks = row.checks.size();
        env.sleep(Duration.ofDays(3));
        assertEquals(checks, row.checks.size(), "FAILED checks nothing until asked");
        assertTrue(running(client));

        row.wrongChecks = 1;
        current(client).verifyNow();
        env.sleep(Duration.ofSeconds(30));
        assertEquals(1, row.count("restart"));
        assertEquals(DomainStatus.ACTIVE, row.status, "a fresh period: checked again, verified, issued");
        assertEquals(checks + 2, row.checks.size());
    }

    @Test
    void aRefusalFailsWithTheAuthoritysWordsUntilAVerify(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        row.refusal = "CAA record for shop.example.com prevents issuance";
        start(env, client, worker, true);
        env.sleep(Duration.ofSeconds(5));
        assertEquals(DomainStatus.FAILED, row.status);
        assertEquals("CAA record for shop.example.com prevents issuance", row.failureReason);
        assertEquals(1, row.count("issue"), "a refusal is not retried");
        env.sleep(Duration.ofDays(2));
        assertEquals(1, row.count("issue"));

        current(client).verifyNow();
        env.sleep(Duration.ofSeconds(5));
        assertEquals(DomainStatus.ACTIVE, row.status);
        assertEquals(2, row.count("issue"));
    }

    @Test
    void withoutAcmeAVerifiedDomainWaitsForAnUploadThenServesItAndGetsTheExpiryEmail(TestWorkflowEnvironment env,
                                                                                 WorkflowClient client, Worker worker) {
        start(env, client, worker, false);
        env.sleep(DAY.multipliedBy(3));
        assertEquals(DomainStatus.VERIFIED, row.status);
        assertEquals(0, row.count("issue"));
        assertEquals(0, row.count("publish"));

        row.validity = Duration.ofDays(30);
        row.install(CertificateSource.UPLOADED);
        long notAfter = row.notAfter;
        current(client).certificateUploaded();
        env.sleep(Duration.ofSeconds(5));
        assertEquals(DomainStatus.ACTIVE, row.status);
        assertEquals(1, row.count("publish"));

        env.sleep(Duration.ofDays(16).minusMinutes(1).minusSeconds(5));
        assertEquals(List.of(), row.notices, "one minute before 14 days before the expiry: no email");
        env.sleep(Duration.ofMinutes(2));
        assertEquals(List.of(notAfter), row.notices);
        env.sleep(Duration.ofDays(20));
        assertEquals(List.of(notAfter), row.notices, "once per certificate");
        assertEquals(0, row.count("renew"), "an uploaded certificate is never renewed");
        assertTrue(running(client));
    }

    @Test
    void anUploadReplacesAnAcmeCertificate(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        start(env, client, worker, true);
        env.sleep(Duration.ofSeconds(5));
        assertEquals(CertificateSource.ACME, row.source);
        env.sleep(DAY.multipliedBy(10));
        row.install(CertificateSource.UPLOADED);
        current(client).certificateUploaded();
        env.sleep(Duration.ofSeconds(5));
        assertEquals(2, row.count("publish"), "the new certificate is published");
        env.sleep(Duration.ofDays(85));
        assertEquals(0, row.count("renew"), "an uploaded certificate is not renewed, even with ACME");
        assertEquals(1, row.notices.size());
    }

    @Test
    void renewsThirtyDaysBeforeTheExpiry(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        start(env, client, worker, true);
        env.sleep(Duration.ofSeconds(5));
        long firstNotAfter = row.notAfter;
        long renewAt = firstNotAfter - Duration.ofDays(30).toMillis();
        env.sleep(Duration.ofMillis(renewAt - env.currentTimeMillis()).minusMinutes(1));
        assertEquals(0, row.count("renew"), "one minute before");
        env.sleep(Duration.ofMinutes(2));
        assertEquals(1, row.count("renew"), "one minute after");
        assertTrue(row.notAfter > firstNotAfter);
        assertEquals(DomainStatus.ACTIVE, row.status);
        assertEquals(2, row.count("publish"), "the renewed certificate is published, after a continue-as-new");
        assertTrue(running(client));
        assertEquals(List.of(), row.notices);
    }

    @Test
    void aRenewalThatKeepsFailingIsRetriedWithBackOffAndEmailsTheOwnerOnceAtFourteenDays(TestWorkflowEnvironment env,
                                                                                      WorkflowClient client, Worker worker) {
        start(env, client, worker, true);
        env.sleep(Duration.ofSeconds(5));
        long notAfter = row.notAfter;
        row.failingRenewals = Integer.MAX_VALUE;
        long noticeAt = notAfter - Duration.ofDays(14).toMillis();
        env.sleep(Duration.ofMillis(noticeAt - env.currentTimeMillis()).minusMinutes(1));
        assertEquals(List.of(), row.notices);
        long attempts = row.count("renew");
        assertTrue(attempts > 5 && attempts < 16 * 4 + 10, "retried from minutes to hours over 16 days: " + attempts);
        assertEquals(DomainStatus.RENEWING, row.status);
        env.sleep(Duration.ofMinutes(2));
        assertEquals(List.of(notAfter), row.notices, "one email 14 days before the expiry");
        env.sleep(Duration.ofDays(3));
        assertEquals(List.of(notAfter), row.notices, "only one");

        row.failingRenewals = 0;
        env.sleep(Duration.ofHours(7));
        assertEquals(DomainStatus.ACTIVE, row.status, "a later attempt succeeds");
        assertTrue(row.notAfter > notAfter);
    }

    @Test
    void aRowDeletedWithItsEnvironmentIsNoticedWithinADayAndItsRouteWithdrawn(TestWorkflowEnvironment env, WorkflowClient client,
                                                                            Worker worker) throws Exception {
        start(env, client, worker, true);
        env.sleep(Duration.ofSeconds(5));
        row.exists = false;
        env.sleep(DAY.plusMinutes(1));
        assertFalse(running(client));
        awaitEnd(client);
        assertEquals(1, row.count("withdraw"));
    }
}
