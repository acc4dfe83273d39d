package io.cloudplane.api.console;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.util.List;
import java.util.Locale;

/**
 * {@code cloudplane.console.*}: who sees the console's operator's page ({@code /operator}). {@code operators}:
 * the emails of platform administrators (comma-separated; none by default). {@code operator-token}: a bootstrap
 * token (at least 32 characters; none by default) that someone signed in enters once at {@code /operator/sign-in}
 * to be an operator for the rest of that session.
 */
@ConfigurationProperties("cloudplane.console")
public record ConsoleOperatorSettings(@Nullable List<String> operators, @Bindable(defaultValue = "") String operatorToken) {
    public static final int MIN_TOKEN = 32;

    public ConsoleOperatorSettings {
        operators = operators == null ? List.of()
                : operators.stream().map(String::trim).filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).toList();
        for (String email : operators) {
            Settings.require(email.matches("[^@\\s]+@[^@\\s]+"), "cloudplane.console.operators", "must list email addresses", email);
        }
        operatorToken = operatorToken.trim();
        Settings.require(operatorToken.isEmpty() || operatorToken.length() >= MIN_TOKEN, "cloudplane.console.operator-token",
                "must be at least " + MIN_TOKEN + " characters (or empty for none)", operatorToken.length() + " characters");
    }

    public boolean isOperator(String email) {
        return operators.contains(email.toLowerCase(Locale.ROOT));
    }

    public boolean tokenSet() {
        return !operatorToken.isEmpty();
    }

    @Override
    public String toString() {
        return "ConsoleOperatorSettings[operators=" + operators + ", operatorToken=" + (tokenSet() ? "[set]" : "none") + "]";
    }
}
