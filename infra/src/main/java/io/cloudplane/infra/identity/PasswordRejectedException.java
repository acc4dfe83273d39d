package io.cloudplane.infra.identity;

/** The provider refuses a new password (a Cognito pool's password policy); the API answers 400 naming {@code password}. */
public class PasswordRejectedException extends RuntimeException {
    public PasswordRejectedException(String reason) {
        super(reason);
    }
}
