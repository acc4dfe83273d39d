package io.cloudplane.api.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Caller;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.workflows.domain.DomainStatus;
import io.cloudplane.workflows.domain.DomainWorkflow;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * An environment's custom domains (staging and production): each shows the DNS records to create;
 * a workflow ({@code domain/<id>}) checks them, gets the domain a certificate (ACME, or the one the
 * owner uploads), serves and renews it. The owner writes; the owner and developers read.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/domains")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "domains")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.Forbidden
@Problems.NotFound
public class DomainController {
    private final DomainService service;
    private final DomainWorkflows workflows;

    public DomainController(DomainService service, DomainWorkflows workflows) {
        this.service = service;
        this.workflows = workflows;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record AddDomain(@NotBlank @Size(max = 1024) String hostname) {
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record UploadCertificate(@NotBlank @Size(max = 65536) String certificate, @NotBlank @Size(max = 65536) String privateKey) {
    }

    @Serdeable
    public record DomainList(List<DomainView> items) {
    }

    /** The environment's custom domains, oldest first (at most 20: no cursor). */
    @Get
    @Operation(operationId = "listDomains")
    public DomainList list(UUID appId, UUID envId, Authentication auth) {
        return new DomainList(service.list(Caller.id(auth), appId, envId));
    }

    /**
     * Adds a custom domain (a host name, internationalized names welcome): 201 with the DNS records to
     * create. Its workflow checks them at once, then backs off from seconds to an hour.
     */
    @Post
    @Status(HttpStatus.CREATED)
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "addDomain")
    public HttpResponse<DomainView> add(UUID appId, UUID envId, @Valid @Body AddDomain request, Authentication auth) {
        DomainService.Found found = service.add(Caller.id(auth), appId, envId, request.hostname());
        workflows.start(found.domain(), found.gatewayHost());
        return HttpResponse.created(service.view(found),
                URI.create("/api/v1/apps/" + appId + "/environments/" + envId + "/domains/" + found.domain().id()));
    }

    /** One custom domain: its state, the records to create, the last check in words, its certificate. */
    @Get("/{domainId}")
    @Operation(operationId = "getDomain")
    public DomainView get(UUID appId, UUID envId, UUID domainId, Authentication auth) {
        return service.view(service.get(Caller.id(auth), appId, envId, domainId, false));
    }

    /** Checks the DNS now (a FAILED domain begins a fresh verification period): 202 with the domain. */
    @Post("/{domainId}/verify")
    @Status(HttpStatus.ACCEPTED)
    @Problems.Conflict
    @Operation(operationId = "verifyDomain")
    public DomainView verify(UUID appId, UUID envId, UUID domainId, Authentication auth) {
        DomainService.Found found = service.verify(Caller.id(auth), appId, envId, domainId);
        workflows.signal(found.domain(), found.gatewayHost(), DomainWorkflow::verifyNow);
        return service.view(found);
    }

    /**
     * Cancels the domain's DNS check while it waits for the records (PENDING_VERIFICATION): 202 with the domain, which then
     * ends FAILED saying the check was cancelled; {@code …/verify} starts a fresh one. 409 in any other state.
     */
    @Post("/{domainId}/cancel-check")
    @Status(HttpStatus.ACCEPTED)
    @Problems.Conflict
    @Operation(operationId = "cancelDomainCheck")
    public DomainView cancelCheck(UUID appId, UUID envId, UUID domainId, Authentication auth) {
        DomainService.Found found = service.get(Caller.id(auth), appId, envId, domainId, true);
        if (found.domain().status() != DomainStatus.PENDING_VERIFICATION) {
            throw ApiException.conflict("The domain is " + found.domain().status() + ": only a DNS check that is under way "
                    + "(PENDING_VERIFICATION) can be cancelled");
        }
        if (!workflows.cancelCheck(domainId)) {
            throw ApiException.conflict("The domain's workflow is not running yet: try again in a few seconds");
        }
        return service.view(found);
    }

    /**
     * Uploads the domain's certificate chain (PEM, leaf first) and private key (PEM): checked (the key
     * matches, the host name is covered, valid now, the chain in order), stored with the key encrypted
     * (never shown again), and served in place of any other. Only once the domain's DNS is verified.
     */
    @Put("/{domainId}/certificate")
    @Problems.Conflict
    @Operation(operationId = "uploadDomainCertificate")
    public DomainView uploadCertificate(UUID appId, UUID envId, UUID domainId, @Valid @Body UploadCertificate request,
                                        Authentication auth) {
        DomainService.Found found = service.uploadCertificate(Caller.id(auth), appId, envId, domainId, request.certificate(),
                request.privateKey());
        workflows.signal(found.domain(), found.gatewayHost(), DomainWorkflow::certificateUploaded);
        return service.view(found);
    }

    /** Removes the domain: it is no longer served, and its certificate is forgotten. */
    @Delete("/{domainId}")
    @Status(HttpStatus.NO_CONTENT)
    @Problems.Conflict
    @Operation(operationId = "removeDomain")
    public void remove(UUID appId, UUID envId, UUID domainId, Authentication auth) {
        service.remove(Caller.id(auth), appId, envId, domainId);
        workflows.removed(domainId);
    }
}
