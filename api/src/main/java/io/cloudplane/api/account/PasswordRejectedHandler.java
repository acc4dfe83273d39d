package io.cloudplane.api.account;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problem;
import io.cloudplane.api.problem.ProblemHandlers;
import io.cloudplane.infra.identity.PasswordRejectedException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A password the identity provider refuses at sign-up (a Cognito pool's policy) is a 400 naming {@code password}. */
@Singleton
@Produces(Problem.MEDIA_TYPE)
public class PasswordRejectedHandler implements ExceptionHandler<PasswordRejectedException, HttpResponse<Problem>> {
    private final ProblemHandlers.ApiExceptionHandler problems;

    public PasswordRejectedHandler(ProblemHandlers.ApiExceptionHandler problems) {
        this.problems = problems;
    }

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, PasswordRejectedException e) {
        return problems.handle(request, ApiException.badRequest("password", e.getMessage()));
    }
}
