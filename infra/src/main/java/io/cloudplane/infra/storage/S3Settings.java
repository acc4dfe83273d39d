package io.cloudplane.infra.storage;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code cloudplane.storage.s3.*}: setting {@code bucket} ({@code CLOUDPLANE_STORAGE_S3_BUCKET})
 * points Cloudplane at real object storage; without it the all-in-one runs s3proxy on loopback.
 * {@code endpoint} overrides AWS's (any S3-protocol server), {@code path-style} addresses the bucket
 * in the path, and credentials come from the standard AWS chain (environment, profile, instance
 * role) unless {@code access-key} and {@code secret-key} are given.
 */
@ConfigurationProperties("cloudplane.storage.s3")
public class S3Settings {
    private String bucket;
    private String region = "us-east-1";
    private String endpoint;
    private boolean pathStyle;
    private String accessKey;
    private String secretKey;
    private int partSizeMib = 8;

    @Nullable public String getBucket() { return bucket; }
    public void setBucket(@Nullable String bucket) { this.bucket = bucket; }
    public String getRegion() { return region; }
    public void setRegion(String region) { this.region = region; }
    @Nullable public String getEndpoint() { return endpoint; }
    public void setEndpoint(@Nullable String endpoint) { this.endpoint = endpoint; }
    public boolean isPathStyle() { return pathStyle; }
    public void setPathStyle(boolean pathStyle) { this.pathStyle = pathStyle; }
    @Nullable public String getAccessKey() { return accessKey; }
    public void setAccessKey(@Nullable String accessKey) { this.accessKey = accessKey; }
    @Nullable public String getSecretKey() { return secretKey; }
    public void setSecretKey(@Nullable String secretKey) { this.secretKey = secretKey; }
    public int getPartSizeMib() { return partSizeMib; }
    public void setPartSizeMib(int partSizeMib) { this.partSizeMib = partSizeMib; }
}
