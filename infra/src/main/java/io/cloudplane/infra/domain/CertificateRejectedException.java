package io.cloudplane.infra.domain;

/**
 * An uploaded certificate refused: {@code field} is the request's field to name in the 400
 * ({@code certificate} or {@code privateKey}), the message says what is wrong in words.
 */
public class CertificateRejectedException extends RuntimeException {
    private final String field;

    public CertificateRejectedException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
