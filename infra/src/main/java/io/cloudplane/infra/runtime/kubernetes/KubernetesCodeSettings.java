package io.cloudplane.infra.runtime.kubernetes;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.kubernetes.code.*}: how an environment's code reaches its pods, by an init container
 * (Cloudplane's own image in its {@code fetch-code} mode) that downloads the code object from a presigned URL.
 * <ul>
 *   <li>{@code image}: Cloudplane's image (default the image of {@code infra/k8s/cloudplane.yaml});</li>
 *   <li>{@code url-lifetime}: how long each presigned URL is valid (default 7 days, S3's longest for
 *       Signature Version 4). The URL is signed again at every start, restart, deployment, roll-back, update
 *       and upload, and written into the environment's Secret {@code env-<envId>-code}, which a pod reads when
 *       it starts: a pod that starts again later than this after the last of those (a node drained, a crash)
 *       cannot fetch its code until the next one. With temporary credentials (an IAM role), a URL is valid
 *       no longer than the credentials that signed it, whatever this says.</li>
 *   <li>{@code url-renewal}: how often a worker signs the URL of every RUNNING environment's code again
 *       (default 1 day), without rolling anything, so that a pod restarting by itself finds a valid URL; it
 *       must be shorter than {@code url-lifetime} (and than the signing credentials' life).</li>
 * </ul>
 */
@ConfigurationProperties("cloudplane.kubernetes.code")
public record KubernetesCodeSettings(
        @Bindable(defaultValue = KubernetesSftpSettings.DEFAULT_IMAGE) String image,
        @Bindable(defaultValue = "7d") Duration urlLifetime,
        @Bindable(defaultValue = "1d") Duration urlRenewal) {

    /** S3 refuses a Signature Version 4 presigned URL valid for longer. */
    public static final Duration LONGEST = Duration.ofDays(7);

    public KubernetesCodeSettings {
        Settings.require(!image.isBlank(), "cloudplane.kubernetes.code.image", "must name an image", image);
        Settings.require(!urlLifetime.isNegative() && urlLifetime.compareTo(Duration.ofMinutes(5)) >= 0 && urlLifetime.compareTo(LONGEST) <= 0,
                "cloudplane.kubernetes.code.url-lifetime", "must be from 5m to 7d (S3's longest presigned URL)", urlLifetime);
        Settings.require(urlRenewal.compareTo(Duration.ofMinutes(1)) >= 0 && urlRenewal.compareTo(urlLifetime) < 0,
                "cloudplane.kubernetes.code.url-renewal", "must be at least 1m and shorter than url-lifetime", urlRenewal);
    }

    public static KubernetesCodeSettings defaults() {
        return new KubernetesCodeSettings(KubernetesSftpSettings.DEFAULT_IMAGE, LONGEST, Duration.ofDays(1));
    }
}
