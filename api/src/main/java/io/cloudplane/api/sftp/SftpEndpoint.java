package io.cloudplane.api.sftp;

/**
 * Where this process's SFTP server listens, for the clients' instructions when
 * {@code cloudplane.sftp.public-port} is not set (with {@code port: 0} only the running server knows its port).
 * The SFTP server bean implements it; without one, the configured {@code cloudplane.sftp.port} is told.
 */
public interface SftpEndpoint {
    int port();
}
