package io.cloudplane.api.sftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * A file opened for writing through SFTP: every write first reserves the bytes it would add to the
 * environment's use ({@link SftpQuotas.Usage#reserve}), and gives back what it did not add; a
 * truncation gives back what it cut. A write refused by the quota writes nothing and counts nothing.
 */
final class QuotaChannel implements SeekableByteChannel {
    private final FileChannel file;
    private final Path path;
    private final SftpSession session;

    QuotaChannel(FileChannel file, Path path, SftpSession session) {
        this.file = file;
        this.path = path;
        this.session = session;
    }

    FileChannel file() {
        return file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        long position = file.position();
        long size = file.size();
        long growth = Math.max(0, position + src.remaining() - size);
        session.usage.reserve(growth, session.view.virtualOf(path));
        int written;
        try {
            written = file.write(src);
        } catch (IOException | RuntimeException e) {
            session.usage.free(growth);
            throw e;
        }
        session.usage.free(growth - Math.max(0, position + written - size));
        session.wrote(path, written);
        return written;
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        long before = file.size();
        file.truncate(size);
        session.usage.free(before - file.size());
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return file.read(dst);
    }

    @Override
    public long position() throws IOException {
        return file.position();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        file.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
