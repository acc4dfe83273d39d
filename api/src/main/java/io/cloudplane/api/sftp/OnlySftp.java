package io.cloudplane.api.sftp;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a shell or a command asks for: nothing is run; the client reads why on its standard error and
 * the channel ends with exit status 1 (without a factory, MINA would leave the channel open and the
 * client waiting).
 */
final class OnlySftp implements CommandFactory, ShellFactory {
    static final String MESSAGE = "This server offers only SFTP: no shell and no commands.\n";

    @Override
    public Command createCommand(ChannelSession channel, String command) {
        return new Refusal();
    }

    @Override
    public Command createShell(ChannelSession channel) {
        return new Refusal();
    }

    private static final class Refusal implements Command {
        private OutputStream err;
        private ExitCallback exit;

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setInputStream(java.io.InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            try {
                err.write(MESSAGE.getBytes(StandardCharsets.UTF_8));
                err.flush();
            } finally {
                exit.onExit(1, MESSAGE.trim());
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
