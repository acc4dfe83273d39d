package io.cloudplane.api.sftp;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Principal;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;

/**
 * Every file operation of a session goes through here: the client's path becomes a local one only by
 * {@link SftpView#resolve}, changes are allowed only where {@link SftpView#requireWritable} says, links
 * are neither made nor followed, and the bytes written or removed move the environment's quota
 * ({@link SftpQuotas}) and the session's tally for the activity log ({@link SftpSession}).
 */
final class SftpFileAccessor implements SftpFileSystemAccessor {
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final Set<StandardOpenOption> WRITING = EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.DELETE_ON_CLOSE);

    private static SftpSession session(SftpSubsystemProxy subsystem) throws IOException {
        SftpSession session = SftpSession.of(subsystem.getServerSession());
        if (session == null) {
            throw SftpView.denied("not signed in");
        }
        return session;
    }

    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath) throws IOException {
        return session(subsystem).view.resolve(remotePath);
    }

    @Override
    public LinkOption[] resolveFileAccessLinkOptions(SftpSubsystemProxy subsystem, Path file, int cmd, String extension,
                                                     boolean followLinks) {
        return NO_FOLLOW.clone();
    }

    @Override
    public NavigableMap<String, Object> resolveReportedFileAttributes(SftpSubsystemProxy subsystem, Path file, int flags,
                                                                     NavigableMap<String, Object> attrs, LinkOption... options)
            throws IOException {
        Object permissions = attrs.get("permissions");
        if (permissions instanceof Set<?> set && !writable(session(subsystem).view, file)) {
            Set<Object> readOnly = new HashSet<>(set);
            readOnly.removeAll(List.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
            attrs.put("permissions", readOnly);
        }
        return attrs;
    }

    /** Whether a client may write in {@code file} (a folder: create in it), as shown in its permissions. */
    private static boolean writable(SftpView view, Path file) {
        SftpView.Area area = view.areaOf(file);
        return area == SftpView.Area.RESOURCES || (area == SftpView.Area.CODE && view.codeWritable());
    }

    @Override
    public void putRemoteFileName(SftpSubsystemProxy subsystem, Path path, Buffer buf, String name, boolean shortName)
            throws IOException {
        // a whole path (REALPATH's answer) is the client's, never the local one; a listing's names stay as they are
        buf.putString(shortName && name.indexOf('/') >= 0 ? session(subsystem).view.virtualOf(path) : name);
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
                                        Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        SftpSession session = session(subsystem);
        Set<OpenOption> opening = new HashSet<>(options);
        opening.add(LinkOption.NOFOLLOW_LINKS);
        boolean writing = options.stream().anyMatch(WRITING::contains);
        if (!writing) {
            return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, opening, attrs);
        }
        session.view.requireWritable(file, "write " + session.view.virtualOf(file));
        long truncated = options.contains(StandardOpenOption.TRUNCATE_EXISTING) ? regularSize(file) : 0;
        SeekableByteChannel channel = SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, opening, attrs);
        session.usage.free(truncated);
        if (!(channel instanceof FileChannel fileChannel)) {
            channel.close();
            throw new SftpException(SftpConstants.SSH_FX_OP_UNSUPPORTED, "not a regular file");
        }
        if (truncated > 0 || options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW)) {
            session.wrote(file, 0);
        }
        return new QuotaChannel(fileChannel, file, session);
    }

    private static Channel unwrap(Channel channel) {
        return channel instanceof QuotaChannel quota ? quota.file() : channel;
    }

    @Override
    public FileLock tryLock(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle, Channel channel,
                            long position, long size, boolean shared) throws IOException {
        return SftpFileSystemAccessor.super.tryLock(subsystem, fileHandle, file, handle, unwrap(channel), position, size, shared);
    }

    @Override
    public void syncFileData(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle, Channel channel)
            throws IOException {
        SftpFileSystemAccessor.super.syncFileData(subsystem, fileHandle, file, handle, unwrap(channel));
    }

    @Override
    public void closeFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle, Channel channel,
                          Set<? extends OpenOption> options) throws IOException {
        SftpFileSystemAccessor.super.closeFile(subsystem, fileHandle, file, handle, unwrap(channel), options);
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir, String handle,
                                               LinkOption... linkOptions) throws IOException {
        session(subsystem); // resolved by the view: no link on the way
        return SftpFileSystemAccessor.super.openDirectory(subsystem, dirHandle, dir, handle, NO_FOLLOW.clone());
    }

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute, Object value,
                                 LinkOption... options) throws IOException {
        requireWritable(subsystem, file, "change the attributes of ");
        SftpFileSystemAccessor.super.setFileAttribute(subsystem, file, view, attribute, value, NO_FOLLOW.clone());
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path file, Principal value, LinkOption... options) throws IOException {
        throw SftpView.denied("the owner of a file cannot be changed through SFTP");
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path file, Principal value, LinkOption... options) throws IOException {
        throw SftpView.denied("the group of a file cannot be changed through SFTP");
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path file, Set<PosixFilePermission> perms, LinkOption... options)
            throws IOException {
        requireWritable(subsystem, file, "change the permissions of ");
        SftpFileSystemAccessor.super.setFilePermissions(subsystem, file, perms, NO_FOLLOW.clone());
    }

    @Override
    public void setFileAccessControl(SftpSubsystemProxy subsystem, Path file, List<AclEntry> acl, LinkOption... options)
            throws IOException {
        throw SftpView.denied("access control lists cannot be changed through SFTP");
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
        SftpSession session = requireWritable(subsystem, path, "make the folder ");
        SftpFileSystemAccessor.super.createDirectory(subsystem, path);
        session.madeFolder(path);
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink) throws IOException {
        throw SftpView.denied((symLink ? "symbolic" : "hard") + " links cannot be made through SFTP: they could lead out of the environment");
    }

    @Override
    public String resolveLinkTarget(SftpSubsystemProxy subsystem, Path link) throws IOException {
        throw SftpView.denied(session(subsystem).view.virtualOf(link) + ": links are not followed");
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<java.nio.file.CopyOption> opts)
            throws IOException {
        SftpSession session = requireWritable(subsystem, oldPath, "rename ");
        requireWritable(subsystem, newPath, "rename to ");
        long replaced = regularSize(newPath);
        SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
        session.usage.free(replaced);
        session.renamed(oldPath, newPath);
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<java.nio.file.CopyOption> opts)
            throws IOException {
        SftpSession session = requireWritable(subsystem, dst, "copy to ");
        long size = regularSize(src);
        long replaced = regularSize(dst);
        session.usage.reserve(size - replaced, session.view.virtualOf(dst));
        try {
            SftpFileSystemAccessor.super.copyFile(subsystem, src, dst, opts);
        } catch (IOException | RuntimeException e) {
            session.usage.free(size - replaced);
            throw e;
        }
        if (replaced > size) {
            session.usage.free(replaced - size);
        }
        session.wrote(dst, size);
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        SftpSession session = requireWritable(subsystem, path, "remove ");
        long size = regularSize(path);
        SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
        session.usage.free(size);
        session.removed(path);
    }

    private static SftpSession requireWritable(SftpSubsystemProxy subsystem, Path path, String what) throws IOException {
        SftpSession session = session(subsystem);
        session.view.requireWritable(path, what + session.view.virtualOf(path));
        return session;
    }

    /** The size of a regular file (not following a link), 0 for anything else or nothing. */
    private static long regularSize(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? attributes.size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Client-facing messages: ours as written; any other failure by its status alone, never naming a local path. */
    static final class ErrorMessages implements org.apache.sshd.sftp.server.SftpErrorStatusDataHandler {
        @Override
        public String resolveErrorMessage(org.apache.sshd.sftp.server.SftpSubsystemEnvironment sftpSubsystem, int id, Throwable e,
                                          int subStatus, int cmd, Object... args) {
            if (e instanceof SftpException && e.getMessage() != null) {
                return e.getMessage();
            }
            return org.apache.sshd.sftp.common.SftpHelper.resolveStatusMessage(subStatus);
        }
    }

}
