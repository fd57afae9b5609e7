package io.edgewise.channels;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The {@link ServerSocket} returned by {@link ServerSocketChannelImpl#socket()}, with the JDK
 * adaptor's behaviour. {@code timeout} is volatile.
 */
final class ServerSocketAdaptor extends ServerSocket {
    private final ServerSocketChannelImpl ssc;
    private volatile int timeout;

    private ServerSocketAdaptor(ServerSocketChannelImpl ssc) throws IOException {
        super(new NoSocketImpl());
        this.ssc = ssc;
    }

    static ServerSocketAdaptor create(ServerSocketChannelImpl ssc) {
        try {
            return new ServerSocketAdaptor(ssc);
        } catch (IOException e) {
            throw new InternalError(e);
        }
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        if (local == null) local = new InetSocketAddress(0);
        try {
            ssc.bind(local, backlog);
        } catch (Exception e) {
            throw Exceptions.translatePassingIO(e, false);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress local = ssc.localAddressUnchecked();
        return local == null ? null : local.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress local = ssc.localAddressUnchecked();
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return ssc.localAddressUnchecked();
    }

    @Override
    public Socket accept() throws IOException {
        try {
            int to = timeout;
            SocketChannel sc;
            if (to > 0) {
                if (!ssc.isBlocking()) throw new IllegalBlockingModeException();
                sc = ssc.accept(to);
            } else {
                // without SO_TIMEOUT the JDK's adaptor accepts in either mode: a non-blocking channel
                // returns a queued connection, and only an empty queue is an illegal blocking mode
                sc = ssc.accept();
                if (sc == null) throw new IllegalBlockingModeException();
            }
            return sc.socket();
        } catch (Exception e) {
            throw Exceptions.translatePassingIO(e, false);
        }
    }

    @Override
    public void close() throws IOException {
        ssc.close();
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ssc;
    }

    @Override
    public boolean isBound() {
        return ssc.isBound();
    }

    @Override
    public boolean isClosed() {
        return !ssc.isOpen();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        this.timeout = Adaptors.checkTimeout(ssc, timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        Adaptors.ensureOpen(ssc);
        return timeout;
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        Adaptors.setSocketOption(ssc, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return Adaptors.getSocketOption(ssc, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("size cannot be 0 or negative");
        Adaptors.setSocketOption(ssc, StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return Adaptors.getSocketOption(ssc, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        Adaptors.setOption(ssc, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return Adaptors.getOption(ssc, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ssc.supportedOptions();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // not implemented, as in the JDK
    }

    @Override
    public String toString() {
        if (!isBound()) return "ServerSocket[unbound]";
        return "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]";
    }
}
