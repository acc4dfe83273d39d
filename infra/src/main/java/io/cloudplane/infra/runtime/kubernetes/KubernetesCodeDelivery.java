package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.code.CodeArchives;

import java.net.URI;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * What the code's init container needs beyond {@link KubernetesCodeSettings}: the limits its archive is
 * unpacked under (those of stored artifacts, as when the worker unpacks one), and how a code object's
 * presigned URL is made ({@code presign}: the object store's, given the key and {@code url-lifetime}).
 */
public record KubernetesCodeDelivery(KubernetesCodeSettings settings, CodeArchives.Limits limits,
                                     BiFunction<String, Duration, URI> presign) {
    /** The environment's Secret that holds its code's presigned URL. */
    public static final String URL_KEY = io.cloudplane.infra.code.CodeFetcher.URL_VARIABLE;
    /** The pod template's annotation with the code's SHA-256: a new code rolls the Deployment. */
    public static final String CODE_ANNOTATION = "cloudplane.io/code-sha256";
    /** Where the code volume is mounted in the init container (and where it unpacks). */
    public static final String FETCH_DIR = "/code";

    public URI presign(String objectKey) {
        return presign.apply(objectKey, settings.urlLifetime());
    }
}
