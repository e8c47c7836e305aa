package io.nodeincidents.query;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients that hold connections to a server on the loopback address without completing a request: some send part of
 * a request line and then nothing, some send headers one byte a second. One thread notices when the server closes
 * each connection, another drips the bytes; both end on {@link #close()} (or when every connection is gone), and
 * dripping stops after {@link #MAX_DRIP} whatever happens.
 */
final class SlowClients implements AutoCloseable {

    static final Duration MAX_DRIP = Duration.ofSeconds(30);
    private static final byte[] DRIP = "X-Slow: one-byte-a-second-for-as-long-as-the-server-lets-me\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** One connection: when it was opened, when the server closed it (0 while open), what was dripped and read. */
    static final class Slow {
        final SocketChannel channel;
        final boolean dripping;
        final long openedNanos;
        volatile long closedNanos;
        volatile int dripped;
        /** What the server sent (the first KiB): nothing is expected. */
        final StringBuffer fromServer = new StringBuffer();

        Slow(SocketChannel channel, boolean dripping, long openedNanos) {
            this.channel = channel;
            this.dripping = dripping;
            this.openedNanos = openedNanos;
        }

        boolean closedByServer() {
            return closedNanos != 0;
        }

        /** How long the server kept it open. */
        Duration heldFor() {
            return Duration.ofNanos(closedNanos - openedNanos);
        }
    }

    private final InetSocketAddress server;
    private final Selector selector;
    private final List<Slow> connections = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread watcher;
    private final Thread dripper;

    SlowClients(int port) throws IOException {
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.selector = Selector.open();
        this.watcher = new Thread(this::watch, "slow-clients-watch");
        this.dripper = new Thread(this::drip, "slow-clients-drip");
        watcher.setDaemon(true);
        dripper.setDaemon(true);
        watcher.start();
        dripper.start();
    }

    /** Opens a connection that sends {@code partial} (no blank line: the request never completes), then nothing. */
    Slow open(String partial) throws IOException {
        return open(partial, false);
    }

    /** Opens a connection that sends {@code partial}, then a header one byte a second. */
    Slow openDripping(String partial) throws IOException {
        return open(partial, true);
    }

    private Slow open(String partial, boolean dripping) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.connect(server);
        Slow slow = new Slow(channel, dripping, System.nanoTime());
        channel.write(ByteBuffer.wrap(partial.getBytes(StandardCharsets.US_ASCII)));
        channel.configureBlocking(false);
        connections.add(slow);
        // since Java 11 registering does not wait for a select under way; the watcher sees it on its next round
        channel.register(selector, SelectionKey.OP_READ, slow);
        selector.wakeup();
        return slow;
    }

    List<Slow> connections() {
        return new ArrayList<>(connections);
    }

    long closedByServer() {
        return connections.stream().filter(Slow::closedByServer).count();
    }

    /** Waits up to {@code timeout} for the server to have closed every connection; true when it has. */
    boolean awaitAllClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (closedByServer() == connections.size()) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return closedByServer() == connections.size();
    }

    private void watch() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (!stop.get()) {
            try {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Slow slow = (Slow) key.attachment();
                    int read;
                    try {
                        buffer.clear();
                        read = slow.channel.read(buffer);
                    } catch (IOException reset) {
                        read = -1;
                    }
                    if (read < 0) {
                        slow.closedNanos = System.nanoTime();
                        key.cancel();
                        slow.channel.close();
                    } else {
                        if (slow.fromServer.length() < 1024) {
                            slow.fromServer.append(new String(buffer.array(), 0, read, StandardCharsets.ISO_8859_1));
                        }
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (!stop.get()) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void drip() {
        long end = System.nanoTime() + MAX_DRIP.toNanos();
        try {
            while (!stop.get() && System.nanoTime() < end) {
                TimeUnit.SECONDS.sleep(1);
                for (Slow slow : connections) {
                    if (!slow.dripping || slow.closedByServer() || slow.dripped >= DRIP.length) {
                        continue;
                    }
                    try {
                        slow.channel.write(ByteBuffer.wrap(DRIP, slow.dripped, 1));
                        slow.dripped++;
                    } catch (IOException closed) {
                        // the watcher records the close
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop.set(true);
        selector.wakeup();
        dripper.interrupt();
        watcher.join(2_000);
        dripper.join(2_000);
        for (Slow slow : connections) {
            slow.channel.close();
        }
        selector.close();
    }

    /** A plain HTTP/1.1 GET on a new connection (as a kubelet probe does), read to the end. */
    static Answer get(int port, String requestTarget, Duration timeout) throws IOException {
        return raw(port, "GET " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                timeout);
    }

    /** Sends {@code request} as is on a new connection and reads the answer to the end. */
    static Answer raw(int port, String request, Duration timeout) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd);
            String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
            String[] statusLine = head.split("\r\n", 2)[0].split(" ");
            int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : 0;
            return new Answer(status, head, body, took);
        }
    }

    record Answer(int status, String head, String body, Duration took) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }
}
