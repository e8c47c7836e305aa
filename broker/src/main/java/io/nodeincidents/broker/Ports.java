package io.nodeincidents.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;

/** Free-port checks on the loopback address the broker binds to. */
final class Ports {

    private Ports() {
    }

    /**
     * Throws {@link PortUnavailableException} when {@code port} cannot be bound on 127.0.0.1 now. Uses SO_REUSEADDR
     * like Kafka's own listener, so a port whose old connections linger in TIME_WAIT counts as free.
     */
    static void requireFree(int port, String role) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LocalKafka.HOST), port));
        } catch (IOException e) {
            throw new PortUnavailableException("Port " + port + " on " + LocalKafka.HOST + " (" + role
                    + ") is already in use", port, e);
        }
    }

    /** A port free on 127.0.0.1 right now, none of {@code avoid}. */
    static int pickFree(Set<Integer> avoid) {
        for (int i = 0; i < 10; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(LocalKafka.HOST), 0));
                int port = socket.getLocalPort();
                if (!avoid.contains(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find a free port on " + LocalKafka.HOST, e);
            }
        }
        throw new IllegalStateException("Cannot find a free port on " + LocalKafka.HOST);
    }
}
