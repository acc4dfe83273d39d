package io.cloudplane.infra.identity;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClientBuilder;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AttributeType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AuthFlowType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.GroupExistsException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.GroupType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.InitiateAuthResponse;
import software.amazon.awssdk.services.cognitoidentityprovider.model.InvalidPasswordException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.MessageActionType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.NotAuthorizedException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.PasswordResetRequiredException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotConfirmedException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotFoundException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UsernameExistsException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An AWS Cognito user pool keeps the credentials ({@code cloudplane.identity.provider=cognito},
 * {@link CognitoSettings}).
 * <p>
 * <b>Usernames.</b> A pool user's username is the Cloudplane user ID (a UUID), so that the
 * {@code username} claim of the pool's access tokens names the Cloudplane user without a lookup,
 * and so that nothing a user may change about themselves (their email) decides who they are.
 * Cloudplane resolves an email to its user ID itself, from its users table. The pool must therefore
 * not use the email as username ({@code UsernameAttributes} unset); users of the pool that
 * Cloudplane did not create can't sign in to Cloudplane. The email, {@code email_verified=true}
 * (Cloudplane decided whom it belongs to), {@code given_name} and {@code family_name} are attributes.
 * <p>
 * <b>Invitees.</b> A person invited before they have an account has no Cloudplane user ID yet; they
 * get a placeholder pool user named {@code invitee-<UUID derived from the email>}, without a message
 * (Cloudplane sends the invitation) and without a usable password. Their sign-up replaces it with
 * the user named by their new ID.
 * <p>
 * <b>Memberships</b> are groups: {@code env-<envId>-<profile>}, the profile lowercased (profiles
 * are matched whatever their case) with its spaces as {@code +} (Cognito's group names allow
 * letters, digits, symbols and punctuation, not spaces; a profile never contains {@code +}), at
 * most 4 + 36 + 1 + 64 = 105 of the 128 characters allowed. The access and ID tokens carry them in
 * {@code cognito:groups}.
 */
@Singleton
@Requires(property = "cloudplane.identity.provider", value = IdentitySettings.COGNITO)
public class CognitoIdentityProvider implements IdentityProvider {
    private static final String GROUP_PREFIX = "env-";
    private static final String INVITEE_PREFIX = "invitee-";

    private final CognitoIdentityProviderClient cognito;
    private final UserRepository users;
    private final CognitoSettings settings;

    public CognitoIdentityProvider(CognitoSettings settings, UserRepository users) {
        this.settings = settings;
        this.users = users;
        AwsCredentialsProvider credentials = settings.accessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        CognitoIdentityProviderClientBuilder builder = CognitoIdentityProviderClient.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        this.cognito = builder.build();
    }

    @PreDestroy
    public void close() {
        cognito.close();
    }

    /**
     * The pool user that signs in as {@code userId}, with its password set for good (no change asked
     * at the first sign-in); the invitee placeholder of that email, if any, is deleted. A password the
     * pool's policy refuses throws {@link PasswordRejectedException}.
     */
    @Override
    public void register(UUID userId, String email, String password) {
        String username = userId.toString();
        UserRecord user = users.findById(userId).orElse(null);
        List<AttributeType> attributes = attributes(email, user == null ? null : user.firstName(), user == null ? null : user.lastName());
        try {
            cognito.adminCreateUser(r -> r.userPoolId(settings.userPoolId()).username(username).userAttributes(attributes)
                    .messageAction(MessageActionType.SUPPRESS));
        } catch (UsernameExistsException e) {
            // a second call for the same user: the password below is what matters
        }
        try {
            cognito.adminSetUserPassword(r -> r.userPoolId(settings.userPoolId()).username(username).password(password).permanent(true));
        } catch (InvalidPasswordException e) {
            // The caller's transaction rolls back; the pool user without a password is left, unreachable (no row names it).
            throw new PasswordRejectedException(e.awsErrorDetails() == null ? "does not meet the user pool's password policy"
                    : e.awsErrorDetails().errorMessage());
        }
        try {
            cognito.adminDeleteUser(r -> r.userPoolId(settings.userPoolId()).username(inviteeUsername(email)));
        } catch (UserNotFoundException e) {
            // not invited before signing up
        }
    }

    /**
     * {@code USER_PASSWORD_AUTH} with the app client. An unknown email costs the same round trip
     * (with a username no pool user has) and gives the same answer as a wrong password. A user the
     * pool asks for a challenge (a new password, MFA) is rejected: Cloudplane's sign-in answers no
     * challenges.
     */
    @Override
    public AuthenticationResult authenticate(String email, String password) {
        Optional<UserRecord> user = users.findByEmailIgnoringCase(email);
        String username = user.map(u -> u.id().toString()).orElseGet(() -> UUID.randomUUID().toString());
        Map<String, String> parameters = new HashMap<>();
        parameters.put("USERNAME", username);
        parameters.put("PASSWORD", password);
        if (settings.clientSecret() != null) {
            parameters.put("SECRET_HASH", secretHash(username));
        }
        InitiateAuthResponse response;
        try {
            response = cognito.initiateAuth(r -> r.authFlow(AuthFlowType.USER_PASSWORD_AUTH).clientId(settings.clientId())
                    .authParameters(parameters));
        } catch (NotAuthorizedException | UserNotFoundException | UserNotConfirmedException | PasswordResetRequiredException
                 | InvalidPasswordException e) {
            // AWS answers a wrong password with NotAuthorized; cognito-local with InvalidPassword.
            return new AuthenticationResult.Rejected();
        }
        if (user.isEmpty() || response.authenticationResult() == null || response.authenticationResult().accessToken() == null) {
            return new AuthenticationResult.Rejected();
        }
        var result = response.authenticationResult();
        return new AuthenticationResult.Authenticated(user.get().id(),
                new IssuedToken(result.accessToken(), Duration.ofSeconds(result.expiresIn() == null ? 3600 : result.expiresIn())));
    }

    /** A placeholder pool user for the invitee (see the class comment); nothing when they have an account already. */
    @Override
    public void prepareInvitee(String email, String firstName, String lastName) {
        if (users.findByEmailIgnoringCase(email.trim()).isPresent()) {
            return;
        }
        try {
            cognito.adminCreateUser(r -> r.userPoolId(settings.userPoolId()).username(inviteeUsername(email))
                    .userAttributes(attributes(email.trim(), firstName, lastName)).messageAction(MessageActionType.SUPPRESS));
        } catch (UsernameExistsException e) {
            // prepared by an earlier invitation
        }
    }

    /** Puts the user in the environment's group for the profile (created if absent), then out of its other profiles' groups. */
    @Override
    public void declareMembership(UUID userId, String email, UUID envId, String profile) {
        String group = groupName(envId, profile);
        try {
            cognito.createGroup(r -> r.userPoolId(settings.userPoolId()).groupName(group)
                    .description("Cloudplane environment " + envId + ", profile " + profile));
        } catch (GroupExistsException e) {
            // declared for someone else before
        }
        cognito.adminAddUserToGroup(r -> r.userPoolId(settings.userPoolId()).username(userId.toString()).groupName(group));
        for (String other : groupsOf(userId, envId)) {
            if (!other.equals(group)) {
                cognito.adminRemoveUserFromGroup(r -> r.userPoolId(settings.userPoolId()).username(userId.toString()).groupName(other));
            }
        }
    }

    @Override
    public void withdrawMembership(UUID userId, String email, UUID envId) {
        List<String> groups;
        try {
            groups = groupsOf(userId, envId);
        } catch (UserNotFoundException e) {
            return;
        }
        for (String group : groups) {
            cognito.adminRemoveUserFromGroup(r -> r.userPoolId(settings.userPoolId()).username(userId.toString()).groupName(group));
        }
    }

    /** The group of an environment's profile: {@code env-<envId>-<profile, lowercased, spaces as +>}. */
    public static String groupName(UUID envId, String profile) {
        return GROUP_PREFIX + envId + "-" + profile.strip().toLowerCase(Locale.ROOT).replace(' ', '+');
    }

    /** The placeholder username of an invitee without an account: derived from the email, whatever its case. */
    public static String inviteeUsername(String email) {
        return INVITEE_PREFIX + UUID.nameUUIDFromBytes(("cloudplane-invitee:" + email.trim().toLowerCase(Locale.ROOT))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The user's groups of that environment. */
    private List<String> groupsOf(UUID userId, UUID envId) {
        String prefix = GROUP_PREFIX + envId + "-";
        List<String> groups = new ArrayList<>();
        cognito.adminListGroupsForUserPaginator(r -> r.userPoolId(settings.userPoolId()).username(userId.toString()))
                .groups().stream().map(GroupType::groupName).filter(g -> g.startsWith(prefix)).forEach(groups::add);
        return groups;
    }

    private static List<AttributeType> attributes(String email, String firstName, String lastName) {
        List<AttributeType> attributes = new ArrayList<>();
        attributes.add(AttributeType.builder().name("email").value(email).build());
        attributes.add(AttributeType.builder().name("email_verified").value("true").build());
        if (firstName != null && !firstName.isBlank()) {
            attributes.add(AttributeType.builder().name("given_name").value(firstName.trim()).build());
        }
        if (lastName != null && !lastName.isBlank()) {
            attributes.add(AttributeType.builder().name("family_name").value(lastName.trim()).build());
        }
        return attributes;
    }

    private String secretHash(String username) {
        return secretHash(settings.clientSecret(), username, settings.clientId());
    }

    /** Base64(HMAC-SHA256(client secret, username + client ID)), which a client with a secret requires. */
    static String secretHash(String clientSecret, String username, String clientId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clientSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((username + clientId).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
