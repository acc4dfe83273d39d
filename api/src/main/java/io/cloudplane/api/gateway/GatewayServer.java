package io.cloudplane.api.gateway;

import io.cloudplane.api.security.AddressBlock;
import io.cloudplane.infra.config.CdsTraining;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The access gateway's HTTP listener ({@code cloudplane.gateway.*}): every request is handed, head
 * first, to the {@link GatewayRouter}, then forwarded to an environment's server or answered here
 * (see {@link GatewayConnection} and docs/architecture.md, "The access gateway: the proxy"). It
 * runs on its own Netty event loops, and each backend connection lives on the event loop of the
 * client connection it serves, so that a forwarded request never changes threads.
 *
 * <p>Its HTTPS listener ({@code cloudplane.gateway.tls-port}) serves custom domains: a
 * {@link SniHandler} asks {@link GatewayDomains} for the TLS context of the host name the client
 * names (SNI), then the same pipeline as HTTP runs behind the TLS handler, with {@code https} as the
 * request's scheme. Without SNI, or for a host whose certificate is not served, the handshake fails:
 * there is no default certificate.
 */
@Singleton
@Requires(property = "cloudplane.gateway.enabled", notEquals = "false")
@Requires(property = "cloudplane.api.enabled", notEquals = "false") // a worker-only process serves no callers
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
@Requires(beans = GatewayRouter.class)
public class GatewayServer implements AutoCloseable {
    /** A client connection with no traffic either way for this long is closed (so is a backend connection). */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** How long connecting to an environment's server may take before the router's "down" page is shown. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Request line, all headers, and the largest body piece handled at once; longer lines and headers get 414 and 431. */
    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEADERS = 32 * 1024;
    static final int MAX_CHUNK = 64 * 1024;
    /** A TLS client hello larger than this is refused; a handshake not done within the timeout is closed. */
    static final int MAX_CLIENT_HELLO = 16 * 1024;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private final GatewaySettings settings;
    private final GatewayRouter router;
    private final IntConsumer listening;
    @Nullable
    private final AsyncMapping<String, SslContext> certificates;
    private final IntConsumer listeningTls;
    private final List<AddressBlock> trustedProxies;
    private EventLoopGroup group;
    private ChannelGroup channels;
    private Channel serverChannel;
    private Channel tlsChannel;

    @Inject
    public GatewayServer(GatewaySettings settings, GatewayRouter router, HostNames hostNames, GatewayDomains domains) {
        this(settings, router, hostNames::listening, domains, hostNames::listeningTls);
    }

    /** HTTP only. */
    GatewayServer(GatewaySettings settings, GatewayRouter router, IntConsumer listening) {
        this(settings, router, listening, null, port -> {
        });
    }

    /** {@code certificates}: the SNI host name → its TLS context (null: no HTTPS listener, as with {@code tls-enabled=false}). */
    GatewayServer(GatewaySettings settings, GatewayRouter router, IntConsumer listening,
                  @Nullable AsyncMapping<String, SslContext> certificates, IntConsumer listeningTls) {
        this.settings = settings;
        this.router = router;
        this.listening = listening;
        this.certificates = settings.tlsEnabled() ? certificates : null;
        this.listeningTls = listeningTls;
        this.trustedProxies = settings.trustedProxyBlocks();
    }

    @EventListener
    void onStartup(StartupEvent event) {
        start();
    }

    public synchronized void start() {
        if (serverChannel != null) {
            return;
        }
        group = new MultiThreadIoEventLoopGroup(settings.threads(), new DefaultThreadFactory("gateway"), NioIoHandler.newFactory());
        channels = new DefaultChannelGroup("gateway", GlobalEventExecutor.INSTANCE);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_HEADERS)
                .setMaxChunkSize(MAX_CHUNK);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // a client that half-closes after its request still gets the answer
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channels.add(channel);
                        channel.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                                .addLast(GatewayConnection.CODEC, new HttpServerCodec(decoder))
                                .addLast(new GatewayConnection(router, trustedProxies, "http"));
                    }
                });
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(settings.bindAddress(), settings.port())).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("The gateway cannot listen on " + settings.bindAddress() + ":" + settings.port()
                    + " (cloudplane.gateway.bind-address and port, CLOUDPLANE_GATEWAY_PORT): " + e.getMessage(), e);
        }
        int port = port();
        listening.accept(port);
        LOG.info("Gateway listening on {}:{}", settings.bindAddress(), port);
        if (certificates != null) {
            startTls(bootstrap, decoder);
        }
    }

    private void startTls(ServerBootstrap http, HttpDecoderConfig decoder) {
        ServerBootstrap bootstrap = http.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channels.add(channel);
                channel.pipeline()
                        .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                        .addLast(new SniHandler(certificates, MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT.toMillis()))
                        .addLast(new FailedHandshakes())
                        .addLast(GatewayConnection.CODEC, new HttpServerCodec(decoder))
                        .addLast(new GatewayConnection(router, trustedProxies, "https"));
            }
        });
        try {
            tlsChannel = bootstrap.bind(new InetSocketAddress(settings.bindAddress(), settings.tlsPort())).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("The gateway cannot listen on " + settings.bindAddress() + ":" + settings.tlsPort()
                    + " (cloudplane.gateway.bind-address and tls-port, CLOUDPLANE_GATEWAY_TLS_PORT): " + e.getMessage(), e);
        }
        int port = tlsPort();
        listeningTls.accept(port);
        LOG.info("Gateway listening for HTTPS on {}:{}", settings.bindAddress(), port);
    }

    /** The port of the HTTPS listener, or -1 when there is none. */
    public int tlsPort() {
        return tlsChannel == null ? -1 : ((InetSocketAddress) tlsChannel.localAddress()).getPort();
    }

    /**
     * A handshake that fails (no SNI, a host without a served certificate, a client that refuses the
     * certificate) closes the connection quietly: it is the client's doing, not the gateway's.
     */
    private static final class FailedHandshakes extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (tls instanceof SSLException) {
                LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), tls.getMessage());
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    /** The port it listens on (the one it got, when asked for port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @PreDestroy
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (tlsChannel != null) {
            tlsChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        group = null;
        serverChannel = null;
        tlsChannel = null;
    }
}
