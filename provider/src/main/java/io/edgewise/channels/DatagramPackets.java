package io.edgewise.channels;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.AccessController;
import java.security.PrivilegedExceptionAction;

/**
 * Puts a received datagram into a {@link DatagramPacket} the way the JDK's receive does.
 *
 * <p>A packet has a buffer length (how much a receive may fill) besides its length (how much the last
 * receive filled). The JDK's receive sets only the length; every public setter sets both, so a packet
 * filled through them would later truncate longer datagrams received with a {@code java.net}
 * socket. No public method sets the length alone except a JDK receive, so the datagram is handed to
 * one: a JDK {@code DatagramSocket} on the loopback address, connected to itself (the kernel takes
 * datagrams from no other source), sends the bytes to itself and receives them into the packet.
 * That costs two loopback system calls per adaptor receive and one descriptor per JVM. If that socket
 * cannot be made or fails, the packet is filled through the public setters instead.
 *
 * <h2>Locks</h2>
 * {@code LOCK} guards {@code socket}, {@code failed}, {@code bytes} and {@code out}, and makes each
 * send-receive pair atomic. Callers hold the packet's monitor first (packet → LOCK).
 */
final class DatagramPackets {
    private DatagramPackets() { }

    /** The largest UDP payload over IPv4 loopback. */
    private static final int MAX_PAYLOAD = 65507;
    /** A datagram sent to oneself is queued before send returns; this only bounds a broken socket. */
    private static final int RECEIVE_TIMEOUT_MILLIS = 2000;

    private static final Object LOCK = new Object();
    private static DatagramSocket socket;
    private static boolean failed;
    private static byte[] bytes;
    private static DatagramPacket out;

    /**
     * Fills {@code p} with the datagram in {@code data} (position to limit; consumed) from
     * {@code sender}: at most the packet's buffer length bytes at its offset, its length set to the
     * count, its buffer length unchanged, its address the sender. Called holding {@code p}'s monitor.
     */
    static void deliver(DatagramPacket p, ByteBuffer data, SocketAddress sender) {
        synchronized (LOCK) {
            DatagramSocket s = forwarder();
            if (s != null) {
                int n = Math.min(data.remaining(), MAX_PAYLOAD);
                data.get(bytes, 0, n);
                out.setData(bytes, 0, n);
                try {
                    s.send(out);
                    s.receive(p);
                    p.setSocketAddress(sender);
                    return;
                } catch (IOException | RuntimeException e) {
                    // a lost datagram must not be taken by a later call: drop this socket
                    s.close();
                    socket = null;
                    data.position(data.position() - n);
                }
            }
        }
        int n = Math.min(data.remaining(), p.getLength());
        data.get(p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(sender);
    }

    /** Under LOCK: the self-connected loopback socket, made on first use; null if it cannot be made. */
    @SuppressWarnings("removal")
    private static DatagramSocket forwarder() {
        if (socket != null || failed) {
            return socket;
        }
        try {
            // privileged: under a security manager, binding and connecting are Edgewise's business here
            socket = AccessController.doPrivileged((PrivilegedExceptionAction<DatagramSocket>) () -> {
                DatagramSocket s = new DatagramSocket(null);
                try {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    s.connect(s.getLocalSocketAddress());
                    s.setSoTimeout(RECEIVE_TIMEOUT_MILLIS);
                    s.setReceiveBufferSize(Math.max(s.getReceiveBufferSize(), 2 * MAX_PAYLOAD));
                    return s;
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            });
            if (bytes == null) {
                bytes = new byte[MAX_PAYLOAD];
                out = new DatagramPacket(bytes, 0);
            }
        } catch (Exception e) {
            failed = true;
        }
        return socket;
    }
}
