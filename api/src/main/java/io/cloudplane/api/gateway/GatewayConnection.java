package io.cloudplane.api.gateway;

import io.cloudplane.api.security.AddressBlock;
import io.cloudplane.api.security.ClientAddresses;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the gateway, and the backend connection it keeps for its requests.
 * Everything runs on the client channel's event loop (the backend channel is registered on the same
 * one). A request's head goes to the {@link GatewayRouter}; the client is not read while it
 * decides. Then the request is forwarded piece by piece as Netty's codecs decode it, and the
 * response comes back the same way: each side reads only while the other can take what it writes
 * (auto-read follows the other channel's writability), so no body is ever held whole. Requests on
 * one connection are handled one after the other; a pipelined request waits in {@link #pending}.
 */
final class GatewayConnection extends ChannelInboundHandlerAdapter {
    static final String CODEC = "http";
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConnection.class);
    private static final String CLOUDPLANE_PREFIX = "x-cloudplane-";
    private static final String FORWARDED_FOR = "X-Forwarded-For";
    private static final String FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String FORWARDED_HOST = "X-Forwarded-Host";
    /** After an answer to a request whose rest will not be read, input is still read (and dropped) this long before closing, so that the client sees the answer and not a reset. */
    private static final long LINGER_MILLIS = 2000;

    private enum State {
        /** Waiting for a request's head. */
        IDLE,
        /** The router is deciding; the client is not read. */
        DECIDING,
        /** Forward decided; the backend connection is being made. */
        CONNECTING,
        /** The request goes to the backend and its response comes back. */
        FORWARDING,
        /** The gateway answered itself; the rest of the request's body is read and dropped. */
        RESPONDED,
        /** A WebSocket: raw bytes both ways. */
        TUNNEL,
        /** Closing: whatever still arrives is dropped. */
        CLOSING
    }

    private final GatewayRouter router;
    private final List<AddressBlock> trustedProxies;
    /** {@code http} or {@code https}: the listener's own scheme, unless a trusted proxy says otherwise. */
    private final String listenerScheme;
    private Channel client;
    private State state = State.IDLE;
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>();

    // The exchange in progress.
    private GatewayRequest request;
    private HttpRequest head;
    private GatewayDecision.Forward forward;
    private boolean clientKeepAlive;
    private boolean expectContinue;
    private boolean continueSent;
    private boolean requestComplete;
    private boolean responseBegun;
    private boolean backendKeepAlive;
    private boolean interimResponse;
    private boolean upgrading;
    /** Whether the backend connection was kept from an earlier request, any body bytes went to it, and the request was sent again. */
    private boolean reused;
    private boolean bodySent;
    private boolean retried;
    private int exchange;

    // The backend connection, kept between requests that go to the same server.
    private Channel backend;
    private InetSocketAddress backendAddress;
    private boolean backendNeedsFlush;
    private boolean switching;
    private final List<Object> toBackend = new ArrayList<>(1);
    private final List<Object> toClient = new ArrayList<>(1);

    GatewayConnection(GatewayRouter router, List<AddressBlock> trustedProxies, String listenerScheme) {
        this.router = router;
        this.trustedProxies = trustedProxies;
        this.listenerScheme = listenerScheme;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        client = ctx.channel();
    }

    // ---- The client side ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.TUNNEL) {
            if (switching) {
                toBackend.add(msg);
            } else {
                backend.write(msg);
                backendNeedsFlush = true;
            }
            return;
        }
        if (!(msg instanceof HttpObject object) || state == State.CLOSING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (mustWait()) {
            pending.add(object);
            if (state == State.FORWARDING) {
                updateClientRead();
            }
            return;
        }
        dispatch(object);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushBackend();
    }

    private void flushBackend() {
        if (backendNeedsFlush && backend != null) {
            backendNeedsFlush = false;
            backend.flush();
        }
    }

    /** Whether a message from the client must wait for the exchange in progress. */
    private boolean mustWait() {
        return switch (state) {
            case DECIDING, CONNECTING -> true;
            case FORWARDING, RESPONDED -> requestComplete;
            default -> false;
        };
    }

    private void dispatch(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            badRequest(msg.decoderResult());
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest newHead) {
            if (state != State.IDLE) {
                ReferenceCountUtil.release(msg);
                LOG.warn("The gateway got a request head in state {}: closing the connection", state);
                closeAll();
                return;
            }
            begin(newHead);
        }
        if (msg instanceof HttpContent content) {
            body(content);
        }
    }

    private void begin(HttpRequest newHead) {
        exchange++;
        head = newHead;
        forward = null;
        requestComplete = false;
        responseBegun = false;
        interimResponse = false;
        upgrading = false;
        continueSent = false;
        reused = false;
        bodySent = false;
        retried = false;
        clientKeepAlive = HttpUtil.isKeepAlive(newHead);
        expectContinue = HttpUtil.is100ContinueExpected(newHead);
        HttpHeaders headers = newHead.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank()) {
            request = null;
            state = State.RESPONDED;
            respond(GatewayDecision.Respond.page(400, page(400, "The request names no host (a Host header).")), true);
            return;
        }
        stripCloudplaneHeaders(headers);
        InetSocketAddress peer = (InetSocketAddress) client.remoteAddress();
        String clientAddress;
        String scheme = listenerScheme;
        InetAddress peerAddress = peer.getAddress();
        String peerText = peerAddress.getHostAddress();
        if (!trustedProxies.isEmpty() && ClientAddresses.isTrusted(peerAddress, trustedProxies)) {
            List<String> chain = headers.getAll(FORWARDED_FOR);
            clientAddress = ClientAddresses.of(peerAddress, chain, trustedProxies).getHostAddress();
            String proto = headers.get(FORWARDED_PROTO);
            if (proto != null) {
                String first = proto.split(",", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (first.equals("http") || first.equals("https")) {
                    scheme = first;
                }
            }
            headers.set(FORWARDED_FOR, chain.isEmpty() ? peerText : String.join(", ", chain) + ", " + peerText);
            if (!headers.contains(FORWARDED_HOST)) {
                headers.set(FORWARDED_HOST, host);
            }
        } else {
            clientAddress = peerText;
            headers.set(FORWARDED_FOR, peerText);
            headers.set(FORWARDED_HOST, host);
        }
        headers.set(FORWARDED_PROTO, scheme);
        boolean upgrade = headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        request = new GatewayRequest(host, newHead.method().name(), newHead.uri(), headers, peer, clientAddress, scheme, upgrade);
        state = State.DECIDING;
        CompletionStage<GatewayDecision> decision;
        try {
            decision = router.decide(request);
        } catch (RuntimeException e) {
            decision = CompletableFuture.failedFuture(e);
        }
        int decided = exchange;
        if (decision instanceof CompletableFuture<GatewayDecision> future && future.isDone()) {
            apply(decided, future.getNow(null), future.isCompletedExceptionally() ? failureOf(future) : null);
        } else {
            updateClientRead(); // nothing more is read until the decision
            decision.whenComplete((d, e) -> client.eventLoop().execute(() -> apply(decided, d, e)));
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static void stripCloudplaneHeaders(HttpHeaders headers) {
        List<String> forged = null;
        for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.regionMatches(name, true, 0, CLOUDPLANE_PREFIX, 0, CLOUDPLANE_PREFIX.length())) {
                if (forged == null) {
                    forged = new ArrayList<>(2);
                }
                forged.add(name.toString());
            }
        }
        if (forged != null) {
            forged.forEach(headers::remove);
        }
    }

    private void apply(int decided, GatewayDecision decision, Throwable failure) {
        if (decided != exchange || state != State.DECIDING) {
            return;
        }
        if (!client.isActive()) {
            closeAll();
            return;
        }
        if (failure != null || decision == null) {
            LOG.warn("The gateway's router failed on {} {}{}", request.method(), request.host(), request.path(), failure);
            state = State.RESPONDED;
            respond(GatewayDecision.Respond.page(500, page(500, "Something went wrong on our side.")), false);
        } else if (decision instanceof GatewayDecision.Respond respond) {
            state = State.RESPONDED;
            respond(respond, false);
        } else if (decision instanceof GatewayDecision.Forward f) {
            forward = f;
            state = State.CONNECTING;
            connect(f.backend());
        }
        drainPending();
    }

    private void body(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        switch (state) {
            case FORWARDING -> {
                bodySent |= content.content().isReadable();
                backend.write(content);
                backendNeedsFlush = true;
            }
            default -> content.release(); // RESPONDED, or a stray piece after an answered bad request
        }
        if (last && (state == State.FORWARDING || state == State.RESPONDED)) {
            requestComplete = true;
            if (state == State.RESPONDED) {
                finishExchange();
            } else {
                updateClientRead();
            }
        }
    }

    /** Handles what waited while the exchange before it was in progress, in order. */
    private void drainPending() {
        while (!pending.isEmpty() && !mustWait() && state != State.CLOSING && state != State.TUNNEL) {
            dispatch(pending.poll());
        }
        if (state == State.CLOSING || state == State.TUNNEL) {
            releasePending();
        }
        flushBackend();
        updateClientRead();
    }

    private void releasePending() {
        HttpObject msg;
        while ((msg = pending.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * The client is read only when what it sends has somewhere to go. Once a request is read whole, reading goes on
     * until something waits in {@link #pending} (a pipelined request, at most one read's worth): on the fast path of a
     * request decided at once, auto-read never changes, which would cost two system calls a request.
     */
    private void updateClientRead() {
        boolean read = switch (state) {
            case IDLE, RESPONDED -> client.isWritable();
            case FORWARDING -> requestComplete ? pending.isEmpty() : backend != null && backend.isWritable();
            case TUNNEL -> backend != null && backend.isWritable();
            default -> false;
        };
        if (client.config().isAutoRead() != read) {
            client.config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (backend != null && backend.isActive() && (state == State.FORWARDING || state == State.TUNNEL)) {
            backend.config().setAutoRead(client.isWritable());
        }
        updateClientRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            closeAll();
        } else if (event instanceof ChannelInputShutdownEvent) {
            // The client sent all it will (half-closed): a request read whole is still answered, then the connection ends.
            boolean readWhole = requestComplete || pending.stream().anyMatch(LastHttpContent.class::isInstance);
            boolean answering = readWhole && (state == State.DECIDING || state == State.CONNECTING || state == State.FORWARDING);
            if (answering) {
                clientKeepAlive = false;
            } else if (state == State.TUNNEL && backend instanceof SocketChannel socket) {
                backendNeedsFlush = false;
                backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> socket.shutdownOutput()); // the server may still answer
            } else {
                closeAll();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        releasePending();
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("Gateway client connection failed", cause);
            closeAll();
            return;
        }
        LOG.warn("The gateway failed on a request", cause);
        if (!responseBegun && state != State.TUNNEL && state != State.CLOSING && state != State.IDLE && client.isActive()) {
            state = State.RESPONDED;
            respond(GatewayDecision.Respond.page(500, page(500, "Something went wrong on our side.")), true);
        } else {
            closeAll();
        }
    }

    /** A request Netty's decoder could not read: 414, 431 or 400, then the connection ends (the decoder drops the rest). */
    private void badRequest(DecoderResult result) {
        Throwable cause = result.cause();
        int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        String text = switch (status) {
            case 414 -> "The request line is too long.";
            case 431 -> "The request's headers are too large.";
            default -> "The request could not be read as HTTP.";
        };
        if (state == State.FORWARDING && responseBegun || state == State.TUNNEL) {
            closeAll();
            return;
        }
        if (backend != null && state == State.FORWARDING) {
            closeBackend();
        }
        clientKeepAlive = false;
        requestComplete = false;
        state = State.RESPONDED;
        respond(GatewayDecision.Respond.page(status, page(status, text)), true);
    }

    // ---- Answers from the gateway itself ----

    /** Writes an answer of the gateway's own; with {@code close}, or a client that asked for it, the connection ends after it. */
    private void respond(GatewayDecision.Respond answer, boolean close) {
        // A client that waits for "100 Continue" may or may not send its body now: only closing tells where the next request starts.
        boolean keepAlive = clientKeepAlive && !close && !(expectContinue && !continueSent && !requestComplete);
        HttpHeaders headers = new DefaultHttpHeaders().add(answer.headers());
        headers.set(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        HttpVersion version = head != null ? head.protocolVersion() : HttpVersion.HTTP_1_1;
        setConnection(headers, keepAlive, version);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body()), headers, new DefaultHttpHeaders());
        ChannelFuture written = client.writeAndFlush(response);
        if (!keepAlive) {
            closeAfter(written);
        } else if (requestComplete) {
            finishExchange();
        }
        // else RESPONDED: the rest of the body is dropped as it comes, then the next request is read.
    }

    private static void setConnection(HttpHeaders headers, boolean keepAlive, HttpVersion version) {
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!version.isKeepAliveDefault()) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            headers.remove(HttpHeaderNames.CONNECTION);
        }
    }

    /** Ends the connection once {@code written} is out; if the request was not read whole, reads and drops the rest for a moment first so that the client gets the answer rather than a reset. */
    private void closeAfter(ChannelFuture written) {
        boolean unread = !requestComplete;
        state = State.CLOSING;
        releasePending();
        closeBackend();
        if (!unread) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        written.addListener(f -> {
            if (!f.isSuccess() || !(client instanceof SocketChannel socket)) {
                client.close();
                return;
            }
            socket.shutdownOutput();
            client.config().setAutoRead(true);
            client.eventLoop().schedule(() -> client.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    private void finishExchange() {
        state = State.IDLE;
        request = null;
        head = null;
        forward = null;
        if (backend != null && backend.isActive()) {
            backend.config().setAutoRead(true); // an idle backend connection is read so that its close is noticed
        }
        drainPending();
    }

    private void closeAll() {
        state = State.CLOSING;
        releasePending();
        closeBackend();
        client.close();
    }

    private void closeBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
            backendAddress = null;
            backendNeedsFlush = false;
        }
    }

    // ---- The backend side ----

    private void connect(InetSocketAddress address) {
        if (backend != null && (!backend.isActive() || !address.equals(backendAddress))) {
            closeBackend();
        }
        if (backend != null) {
            reused = true;
            send();
            return;
        }
        reused = false;
        int connecting = exchange;
        Bootstrap bootstrap = new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) GatewayServer.CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        HttpDecoderConfig decoder = new HttpDecoderConfig()
                                .setMaxInitialLineLength(GatewayServer.MAX_REQUEST_LINE)
                                .setMaxHeaderSize(2 * GatewayServer.MAX_HEADERS)
                                .setMaxChunkSize(GatewayServer.MAX_CHUNK);
                        channel.pipeline()
                                .addLast(new IdleStateHandler(0, 0, GatewayServer.IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                                .addLast(CODEC, new HttpClientCodec(decoder, false, false))
                                .addLast(new Backend());
                    }
                });
        ChannelFuture connected = bootstrap.connect(address);
        backend = connected.channel();
        backendAddress = address;
        connected.addListener(f -> {
            if (connecting != exchange || state != State.CONNECTING || backend != connected.channel()) {
                connected.channel().close();
            } else if (f.isSuccess()) {
                send();
            } else {
                backendFailed(connected.channel(), f.cause());
            }
        });
    }

    /**
     * Takes the gateway's own session cookie out of the request's {@code Cookie} headers, keeping the
     * app's own cookies: the server must never receive a credential of Cloudplane's.
     */
    static void withoutSessionCookie(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.COOKIE);
        boolean found = false;
        for (String value : values) {
            found |= value.contains(GatewayCallers.COOKIE);
        }
        if (!found) {
            return;
        }
        List<io.netty.handler.codec.http.cookie.Cookie> kept = new java.util.ArrayList<>();
        for (String value : values) {
            for (io.netty.handler.codec.http.cookie.Cookie cookie : io.netty.handler.codec.http.cookie.ServerCookieDecoder.LAX.decodeAll(value)) {
                if (!cookie.name().equals(GatewayCallers.COOKIE)) {
                    kept.add(cookie);
                }
            }
        }
        headers.remove(HttpHeaderNames.COOKIE);
        if (!kept.isEmpty()) {
            headers.set(HttpHeaderNames.COOKIE, io.netty.handler.codec.http.cookie.ClientCookieEncoder.LAX.encode(kept));
        }
    }

    /** Writes the request's head and what of its body already arrived to the connected backend. */
    private void send() {
        HttpHeaders headers = request.headers().copy();
        removeHopByHop(headers);
        headers.remove(HttpHeaderNames.EXPECT);
        if (request.upgrade()) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, head.headers().get(HttpHeaderNames.UPGRADE));
        }
        for (Map.Entry<String, String> identity : forward.identity().entrySet()) {
            headers.set(identity.getKey(), identity.getValue());
        }
        if (forward.dropAuthorization()) {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
        }
        withoutSessionCookie(headers);
        state = State.FORWARDING;
        backend.config().setAutoRead(client.isWritable());
        backend.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(), headers));
        if (retried) {
            backend.write(LastHttpContent.EMPTY_LAST_CONTENT); // the request had no body, and its end went to the failed connection
        }
        backendNeedsFlush = true;
        if (expectContinue && !requestComplete) {
            continueSent = true;
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        drainPending();
    }

    /** Headers that concern one connection, not the request: the gateway's two connections have their own. */
    private static void removeHopByHop(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
                    headers.remove(name);
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        headers.remove(HttpHeaderNames.UPGRADE);
        headers.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        headers.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    }

    private void backendRead(Channel from, Object msg) {
        if (from != backend) {
            ReferenceCountUtil.release(msg);
            from.close();
            return;
        }
        if (state == State.TUNNEL) {
            if (switching) {
                toClient.add(msg);
            } else {
                client.write(msg);
            }
            return;
        }
        if (state != State.FORWARDING) {
            ReferenceCountUtil.release(msg); // a server that talks between requests is not to be trusted with the next one
            closeBackend();
            return;
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            backendFailed(from, object.decoderResult().cause());
            return;
        }
        if (msg instanceof HttpResponse response) {
            responseHead(response);
        }
        if (msg instanceof LastHttpContent last) {
            if (interimResponse) {
                interimResponse = false;
                last.release();
            } else if (upgrading) {
                last.release();
                client.write(LastHttpContent.EMPTY_LAST_CONTENT);
                tunnel();
            } else {
                client.write(last);
                responseComplete();
            }
        } else if (msg instanceof HttpContent content) {
            if (interimResponse || upgrading) {
                content.release();
            } else {
                client.write(content);
            }
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void responseHead(HttpResponse response) {
        int status = response.status().code();
        if (status == 101 && request.upgrade()) {
            upgrading = true;
            responseBegun = true;
            notifyForwarded();
            client.write(response);
            return;
        }
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            interimResponse = true; // a 100 (the gateway sent its own) or 103: not passed on
            return;
        }
        responseBegun = true;
        notifyForwarded();
        HttpHeaders headers = response.headers();
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        removeHopByHop(headers);
        boolean bodyless = head.method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        if (!bodyless && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
            // A body that ends when the server closes: chunk it for an HTTP/1.1 client, so its connection can stay open.
            if (head.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                clientKeepAlive = false;
            }
        }
        setConnection(headers, clientKeepAlive, head.protocolVersion());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        client.write(response);
    }

    private void notifyForwarded() {
        try {
            router.forwarded(request, forward);
        } catch (RuntimeException e) {
            LOG.warn("The gateway's router failed after forwarding {} {}{}", request.method(), request.host(), request.path(), e);
        }
    }

    private void responseComplete() {
        if (!backendKeepAlive) {
            closeBackend();
        }
        if (!clientKeepAlive || !requestComplete) {
            // Without the rest of the request (the server answered early), the connection cannot carry another one.
            closeAfter(client.writeAndFlush(Unpooled.EMPTY_BUFFER));
            return;
        }
        client.flush();
        finishExchange();
    }

    /** The backend failed: before its response began, the router's page; after, the client's connection ends. */
    private void backendFailed(Channel from, Throwable cause) {
        if (from != backend) {
            return;
        }
        closeBackend();
        if (state == State.TUNNEL || (state == State.FORWARDING && responseBegun)) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            state = State.CLOSING;
            return;
        }
        if (state != State.FORWARDING && state != State.CONNECTING) {
            return; // an idle kept connection went away
        }
        if (reused && !retried && state == State.FORWARDING && requestComplete && !bodySent && safe(head.method())) {
            // A kept connection that the server closed as the request went out (its idle timeout): the request never reached
            // it, so it goes again on a new connection.
            retried = true;
            state = State.CONNECTING;
            connect(forward.backend());
            return;
        }
        LOG.debug("Backend {} failed for {} {}{}", forward.backend(), request.method(), request.host(), request.path(), cause);
        GatewayDecision.Respond answer;
        try {
            answer = router.backendFailed(request, forward, cause);
        } catch (RuntimeException e) {
            LOG.warn("The gateway's router failed on a backend failure", e);
            answer = GatewayDecision.Respond.page(502, page(502, "The server did not answer."));
        }
        state = State.RESPONDED;
        respond(answer, false);
        drainPending();
    }

    private static boolean safe(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS);
    }

    /** Switches both connections to raw bytes after a 101: the HTTP codecs leave both pipelines. */
    private void tunnel() {
        state = State.TUNNEL;
        releasePending();
        client.flush();
        // A codec that leaves hands on, as raw bytes, what it had read past the 101: held until both are gone.
        switching = true;
        client.pipeline().remove(CODEC);
        backend.pipeline().remove(CODEC);
        switching = false;
        toBackend.forEach(backend::write);
        toClient.forEach(client::write);
        toBackend.clear();
        toClient.clear();
        backend.flush();
        client.flush();
        backend.config().setAutoRead(client.isWritable());
        updateClientRead();
    }

    private final class Backend extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            backendRead(ctx.channel(), msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ctx.channel() == backend || state == State.CLOSING) {
                client.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel() == backend) {
                updateClientRead();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                backendFailed(ctx.channel(), new IOException("the server did not answer for " + GatewayServer.IDLE_TIMEOUT));
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Channel channel = ctx.channel();
            if (channel == backend) {
                if (state == State.TUNNEL) {
                    backend = null;
                    state = State.CLOSING;
                    client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                } else {
                    backendFailed(channel, new IOException("the server closed the connection"));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            backendFailed(ctx.channel(), cause);
            ctx.close();
        }
    }

    /** A plain page of the gateway's own, with nothing internal in it. */
    static String page(int status, String text) {
        String reason = HttpResponseStatus.valueOf(status).reasonPhrase();
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + status + " " + reason + "</title></head>"
                + "<body><h1>" + status + " " + reason + "</h1><p>" + text + "</p></body></html>";
    }
}
