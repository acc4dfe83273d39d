package io.cloudplane.api.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.workflows.domain.CertificateSource;
import io.cloudplane.workflows.domain.DomainStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

import java.net.IDN;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A custom domain as the API shows it: its name in both forms, its state, the exact DNS records to
 * create, the last check in words, and its certificate (never the key).
 */
@Serdeable
@Schema(name = "Domain")
public record DomainView(UUID id, @Schema(description = "ASCII (an internationalized name as punycode)") String hostname,
                         String unicodeHostname, DomainStatus status,
                         @Schema(description = "The records to create at the domain's DNS provider") List<DnsRecord> records,
                         @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED, description = "Absent before the first check")
                         @JsonInclude(JsonInclude.Include.NON_NULL) LastCheck lastCheck,
                         @Nullable @Schema(description = "FAILED: what to fix, in words") String failureReason,
                         @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED, description = "Absent until the domain has one")
                         @JsonInclude(JsonInclude.Include.NON_NULL) Certificate certificate, Instant createdAt, Instant updatedAt) {

    @Serdeable
    @Schema(name = "DomainDnsRecord")
    public record DnsRecord(@Schema(description = "TXT, CNAME, A or AAAA") String type, String name, String value) {
    }

    @Serdeable
    @Schema(name = "DomainCheck")
    public record LastCheck(Instant at, @Schema(description = "What was found and what to change, in words") String result) {
    }

    @Serdeable
    @Schema(name = "DomainCertificate")
    public record Certificate(CertificateSource source, @Nullable String issuer, @Nullable Instant notBefore, @Nullable Instant notAfter,
                              @Nullable @Schema(description = "An ACME renewal failing since then") Instant renewalFailingSince,
                              @Nullable String renewalFailure) {
    }

    /**
     * @param gatewayHost the environment's gateway host, the CNAME's target
     * @param addresses   the gateway's public addresses, the A/AAAA records of an apex
     */
    public static DomainView of(DomainRecord d, String gatewayHost, List<String> addresses) {
        List<DnsRecord> records = new ArrayList<>();
        records.add(new DnsRecord("TXT", d.challengeRecordName(), d.challengeToken()));
        if (DomainNames.isApex(d.hostname())) {
            for (String address : addresses) {
                records.add(new DnsRecord(address.contains(":") ? "AAAA" : "A", d.hostname(), address));
            }
        } else {
            records.add(new DnsRecord("CNAME", d.hostname(), gatewayHost));
        }
        LastCheck check = d.lastCheckedAt() == null ? null : new LastCheck(d.lastCheckedAt(), d.lastCheckResult());
        Certificate certificate = !d.hasCertificate() ? null : new Certificate(d.certificateSource(), d.certificateIssuer(),
                d.certificateNotBefore(), d.certificateNotAfter(), d.renewalFailingSince(), d.renewalFailure());
        return new DomainView(d.id(), d.hostname(), IDN.toUnicode(d.hostname()), d.status(), List.copyOf(records), check,
                d.failureReason(), certificate, d.createdAt(), d.updatedAt());
    }
}
