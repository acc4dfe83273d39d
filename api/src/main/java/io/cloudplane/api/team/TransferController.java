package io.cloudplane.api.team;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.common.Ids;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.team.AppTransferRecord;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Ownership transfer: the owner offers the app to one of its developers (a new offer replaces the
 * pending one, and the owner may withdraw it); that developer accepts, becoming the owner, and the
 * old owner stays as a developer.
 */
@Controller("/api/v1/apps/{appId}/transfer")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "members")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class TransferController {
    private final AccessService access;
    private final TeamChanges team;
    private final ApplicationEventPublisher<MembershipChangedEvent> events;

    public TransferController(AccessService access, TeamChanges team, ApplicationEventPublisher<MembershipChangedEvent> events) {
        this.access = access;
        this.team = team;
        this.events = events;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record OfferTransfer(@Nullable String userId) {
    }

    @Serdeable
    public record TransferView(UUID appId, UUID userId, UUID requestedBy, Instant requestedAt) {
        static TransferView of(AppTransferRecord r) {
            return new TransferView(r.appId(), r.toUserId(), r.requestedBy(), r.requestedAt());
        }
    }

    @Serdeable
    public record OwnerView(UUID appId, UUID ownerId, UUID previousOwnerId) {
    }

    /** Offers the app to one of its developers (the owner only; not a sandbox). */
    @Post
    @Status(HttpStatus.CREATED)
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "offerTransfer")
    public HttpResponse<TransferView> offer(UUID appId, @Body OfferTransfer body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireOwner(caller, appId);
        UUID to = Ids.parse("userId", body.userId());
        return HttpResponse.created(TransferView.of(team.offer(a.app(), to, caller)));
    }

    /** Withdraws the pending offer (the owner only). */
    @Delete
    @Status(HttpStatus.NO_CONTENT)
    @Problems.Forbidden
    @Operation(operationId = "withdrawTransfer")
    public HttpResponse<Void> withdraw(UUID appId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireOwner(caller, appId);
        team.withdraw(a.app(), caller);
        return HttpResponse.noContent();
    }

    /** Accepts the offer made to the caller: they own the app from now on, the old owner stays as a developer. */
    @Post("/accept")
    @Problems.Conflict
    @Operation(operationId = "acceptTransfer")
    public OwnerView accept(UUID appId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        List<MembershipChangedEvent> changes = team.accept(a.app(), caller);
        changes.forEach(events::publishEvent);
        return new OwnerView(appId, caller, a.app().ownerId());
    }
}
