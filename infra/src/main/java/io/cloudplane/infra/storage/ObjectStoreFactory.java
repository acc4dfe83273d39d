package io.cloudplane.infra.storage;

import io.cloudplane.infra.embedded.EmbeddedS3Server;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Real object storage when a bucket is configured, else the embedded s3proxy; the same S3 code either way. */
@Factory
public class ObjectStoreFactory {
    /** The bucket the embedded server keeps its objects in. */
    public static final String EMBEDDED_BUCKET = "cloudplane";

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "cloudplane.storage.s3.bucket")
    S3ObjectStore external(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.getAccessKey() != null && settings.getSecretKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.getAccessKey(), settings.getSecretKey()))
                : DefaultCredentialsProvider.builder().build();
        return new S3ObjectStore(settings.getBucket(), settings.getRegion(), settings.getEndpoint(), settings.isPathStyle(),
                credentials, settings.getPartSizeMib() * 1024 * 1024);
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingProperty = "cloudplane.storage.s3.bucket")
    S3ObjectStore embedded(EmbeddedS3Server server, S3Settings settings) {
        S3ObjectStore store = new S3ObjectStore(EMBEDDED_BUCKET, "us-east-1", server.endpoint(), true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), server.secretKey())),
                settings.getPartSizeMib() * 1024 * 1024);
        store.ensureBucket();
        return store;
    }
}
