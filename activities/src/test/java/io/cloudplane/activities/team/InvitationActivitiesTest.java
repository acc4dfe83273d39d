package io.cloudplane.activities.team;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.infra.mail.MailMessage;
import io.cloudplane.infra.mail.Mailer;
import io.cloudplane.infra.mail.SentMailRepository;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The invitation's email carries the one token whose SHA-256 the row keeps; expiry is conditional and logged once. */
class InvitationActivitiesTest {
    private final InvitationRepository invitations = mock(InvitationRepository.class);
    private final UserRepository users = mock(UserRepository.class);
    private final AppRepository apps = mock(AppRepository.class);
    private final SentMailRepository sent = mock(SentMailRepository.class);
    private final Mailer mailer = mock(Mailer.class);
    private final IdentityProvider identity = mock(IdentityProvider.class);
    private final ActivityLogRepository activityLog = mock(ActivityLogRepository.class);
    private final Instant expiresAt = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);
    private final UUID inviterId = UUID.randomUUID();
    private final InvitationRecord pending = new InvitationRecord(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
            "grace@example.com", "Grace", "Hopper", "Manager", InvitationRecord.Kind.DEVELOPER, InvitationRecord.Status.PENDING,
            InvitationTokens.unusable(), inviterId, 0, Instant.now(), expiresAt, null, null);

    private InvitationActivitiesImpl activities(Path dataDir) {
        when(users.findById(inviterId)).thenReturn(Optional.of(new UserRecord(inviterId, "ada@example.com", "Ada", "Lovelace", Instant.now())));
        when(apps.findById(pending.appId())).thenReturn(Optional.of(new AppRecord(pending.appId(), inviterId, "shop",
                AppRecord.AppKind.APPLICATION, AppRecord.AppStatus.ACTIVE, Instant.now(), Instant.now())));
        return new InvitationActivitiesImpl(invitations, users, apps, mock(EnvironmentRepository.class), sent, mailer, identity,
                activityLog, new CloudplaneSettings(dataDir.toString()), inOneTransaction());
    }

    @Test
    void theEmailCarriesTheTokenWhoseDigestIsStoredAndANewcomerIsPreparedInTheIdentityProvider(@TempDir Path dataDir) {
        InvitationActivitiesImpl activities = activities(dataDir);
        when(invitations.findById(pending.id())).thenReturn(Optional.of(pending));
        when(invitations.setToken(eq(pending.id()), eq(expiresAt), anyString())).thenReturn(1L);

        activities.sendInvitation(pending.id().toString(), expiresAt.toEpochMilli());

        ArgumentCaptor<MailMessage> mail = ArgumentCaptor.forClass(MailMessage.class);
        verify(mailer).send(mail.capture());
        assertEquals("grace@example.com", mail.getValue().to());
        Matcher link = Pattern.compile("http://127\\.0\\.0\\.1:8080/invitations/([A-Za-z0-9_-]{43})\n").matcher(mail.getValue().text());
        assertTrue(link.find(), mail.getValue().text());
        assertTrue(mail.getValue().text().contains("Ada Lovelace") && mail.getValue().text().contains("\"shop\"")
                && mail.getValue().text().contains("\"Manager\""), mail.getValue().text());
        verify(invitations).setToken(pending.id(), expiresAt, InvitationTokens.sha256(link.group(1)));
        verify(identity).prepareInvitee("grace@example.com", "Grace", "Hopper");
        verify(sent).markSent(eq("invitation/" + pending.id() + "/" + expiresAt.toEpochMilli()), any());
    }

    @Test
    void nothingIsSentTwiceNorForAnInvitationNoLongerPendingWithThatExpiry(@TempDir Path dataDir) {
        InvitationActivitiesImpl activities = activities(dataDir);
        String key = "invitation/" + pending.id() + "/" + expiresAt.toEpochMilli();
        when(sent.wasSent(key)).thenReturn(true);
        activities.sendInvitation(pending.id().toString(), expiresAt.toEpochMilli());

        when(sent.wasSent(key)).thenReturn(false);
        when(invitations.findById(pending.id())).thenReturn(Optional.of(pending));
        activities.sendInvitation(pending.id().toString(), expiresAt.plusSeconds(60).toEpochMilli()); // resent meanwhile

        verify(mailer, never()).send(any());
        verify(invitations, never()).setToken(any(), any(), anyString());
    }

    @Test
    void anExpiryIsLoggedOnlyWhenItExpiredTheInvitation(@TempDir Path dataDir) {
        InvitationActivitiesImpl activities = activities(dataDir);
        when(invitations.findById(pending.id())).thenReturn(Optional.of(pending));
        when(invitations.expire(eq(pending.id()), eq(expiresAt), any())).thenReturn(0L);
        activities.expireInvitation(pending.id().toString(), expiresAt.toEpochMilli());
        verify(activityLog, never()).appendOnce(any(), any(), anyString(), any(), anyString(), any(), any(), any());

        when(invitations.expire(eq(pending.id()), eq(expiresAt), any())).thenReturn(1L);
        activities.expireInvitation(pending.id().toString(), expiresAt.toEpochMilli());
        verify(activityLog).appendOnce(eq(pending.appId()), eq(pending.envId()), eq(InvitationActivitiesImpl.EXPIRED), eq(null),
                eq("SUCCEEDED"), anyString(), eq(null), any());
    }

    /** Runs the callback as the transaction would, with its status mocked. */
    @SuppressWarnings("unchecked")
    private static io.micronaut.transaction.TransactionOperations<java.sql.Connection> inOneTransaction() {
        io.micronaut.transaction.TransactionOperations<java.sql.Connection> tx = mock(io.micronaut.transaction.TransactionOperations.class);
        when(tx.executeWrite(org.mockito.ArgumentMatchers.any())).thenAnswer(call -> ((io.micronaut.transaction.TransactionCallback<java.sql.Connection, Object>)
                call.getArgument(0)).call(mock(io.micronaut.transaction.TransactionStatus.class)));
        return tx;
    }
}
