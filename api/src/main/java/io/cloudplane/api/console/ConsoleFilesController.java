package io.cloudplane.api.console;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.sftp.SftpController;
import io.cloudplane.api.sftp.SshKeyController;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.ConstraintViolationException;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;

/**
 * The app panel's Access files tab: what an SFTP client needs (host, port, user name, host key
 * fingerprint, folders), a short-lived password on demand (shown once, on the page that answers its
 * POST), and the user's SSH keys (list, add, remove). Through the API's SftpController and SshKeyController.
 */
@Controller("/apps/{appId}/environments/{envId}/files")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleFilesController {
    private final ConsoleSupport support;
    private final SftpController sftpApi;
    private final SshKeyController keysApi;

    public ConsoleFilesController(ConsoleSupport support, SftpController sftpApi, SshKeyController keysApi) {
        this.support = support;
        this.sftpApi = sftpApi;
        this.keysApi = keysApi;
    }

    @Get
    public HttpResponse<?> files(UUID appId, UUID envId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        return show(HttpStatus.OK, user.get(), appId, envId, null, null, null, null, http);
    }

    /** A new short-lived password: shown on this answer only (it is stored hashed), with its expiry. */
    @Post("/password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> password(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            try {
                SftpController.SftpPassword password = sftpApi.createPassword(appId, envId, auth(user)).body();
                return show(HttpStatus.OK, user, appId, envId, password, null, null, null, http);
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, null, ConsoleSupport.message(e), "password", null, http);
            }
        });
    }

    @Post("/keys")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> addKey(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            // the app must be the user's to act from its page (a stranger gets 404, as everywhere under /apps/{appId})
            support.frame(http, user, appId, envId, ConsolePages.Concern.FILES);
            String name = trimmed(form.get("name"));
            try {
                keysApi.add(new SshKeyController.AddSshKey(name == null ? "" : name, form.getOrDefault("publicKey", "")), auth(user));
                return seeOther(ConsolePages.Concern.FILES.href(appId, envId) + "#keys");
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, null, ConsoleSupport.message(e), fieldOf(e, "publicKey"), name, http);
            } catch (ConstraintViolationException e) {
                return show(HttpStatus.BAD_REQUEST, user, appId, envId, null, ConsoleSupport.message(e), "publicKey", name, http);
            }
        });
    }

    @Post("/keys/{keyId}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> removeKey(UUID appId, UUID envId, UUID keyId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            support.frame(http, user, appId, envId, ConsolePages.Concern.FILES);
            try {
                keysApi.delete(keyId, auth(user));
                return seeOther(ConsolePages.Concern.FILES.href(appId, envId) + "#keys");
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, null, ConsoleSupport.message(e), "keys", null, http);
            }
        });
    }

    private HttpResponse<?> show(HttpStatus status, UUID user, UUID appId, UUID envId, @Nullable SftpController.SftpPassword password,
                                 @Nullable String error, @Nullable String errorField, @Nullable String keyName, HttpRequest<?> http) {
        ConsolePages.Frame frame = support.frame(http, user, appId, envId, ConsolePages.Concern.FILES);
        SftpController.SftpAccess sftp = null;
        String unavailable = null;
        try {
            sftp = sftpApi.get(appId, envId, auth(user));
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            unavailable = e.getMessage(); // SFTP turned off, or an end user: said on the page
        }
        List<SshKeyController.SshKey> keys = keysApi.list(auth(user)).items();
        return page(status, "files", new GeneralPages.Files(frame, sftp, unavailable, keys, password, error, errorField, keyName));
    }

    /** The form field an API refusal names (its first), else {@code otherwise}. */
    static String fieldOf(ApiException e, String otherwise) {
        return e.errors() == null || e.errors().isEmpty() || e.errors().get(0).field() == null ? otherwise : e.errors().get(0).field();
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
