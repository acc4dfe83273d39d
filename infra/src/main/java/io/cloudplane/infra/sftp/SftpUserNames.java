package io.cloudplane.infra.sftp;

import java.util.Locale;
import java.util.Optional;

/**
 * The SFTP user name names the person and the environment in one string that every client accepts:
 * {@code <email local part>=<email domain>+<environment's host label>}, e.g.
 * {@code olive=example.com+production-shop-1a2b3c4d5e6f}. No {@code @} (clients split {@code user@host}
 * at it), no {@code :}; the last {@code +} ends the person (host labels have none), the last {@code =}
 * before it is the email's {@code @} (domains have none).
 */
public final class SftpUserNames {
    private SftpUserNames() {
    }

    public record Parsed(String email, String hostLabel) {
    }

    public static String of(String email, String hostLabel) {
        int at = email.lastIndexOf('@');
        if (at <= 0 || at == email.length() - 1) {
            throw new IllegalArgumentException("not an email: " + email);
        }
        return email.substring(0, at).toLowerCase(Locale.ROOT) + "=" + email.substring(at + 1).toLowerCase(Locale.ROOT) + "+" + hostLabel;
    }

    public static Optional<Parsed> parse(String userName) {
        if (userName == null) {
            return Optional.empty();
        }
        int plus = userName.lastIndexOf('+');
        if (plus <= 0 || plus == userName.length() - 1) {
            return Optional.empty();
        }
        String person = userName.substring(0, plus);
        String label = userName.substring(plus + 1).toLowerCase(Locale.ROOT);
        int eq = person.lastIndexOf('=');
        if (eq <= 0 || eq == person.length() - 1 || !label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(person.substring(0, eq) + "@" + person.substring(eq + 1), label));
    }
}
