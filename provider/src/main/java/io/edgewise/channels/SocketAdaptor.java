package io.edgewise.channels;

import io.edgewise.sys.PrivateOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link Socket} returned by {@link SocketChannelImpl#socket()}: a view of the channel with the
 * JDK adaptor's behaviour (streams need blocking mode, {@code SO_TIMEOUT} bounds reads and connects,
 * channel exceptions become {@code SocketException}s).
 *
 * <p>{@code timeout} is volatile; the streams are created once under {@code this}.
 */
final class SocketAdaptor extends Socket {
    private final SocketChannelImpl sc;
    private volatile int timeout;
    private InputStream in;
    private OutputStream out;

    private SocketAdaptor(SocketChannelImpl sc) throws SocketException {
        super((java.net.SocketImpl) null);
        this.sc = sc;
    }

    static SocketAdaptor create(SocketChannelImpl sc) {
        try {
            return new SocketAdaptor(sc);
        } catch (SocketException e) {
            throw new InternalError(e);
        }
    }

    @Override
    public SocketChannel getChannel() {
        return sc;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (remote == null) throw new IllegalArgumentException("connect: The address can't be null");
        if (JdkBehaviour.ADAPTOR_UNRESOLVED_CONNECT_CLOSES && !sc.asyncResolve() && remote instanceof InetSocketAddress isa && isa.isUnresolved()) {
            if (!sc.isOpen()) throw new SocketException("Socket is closed");
            if (sc.isConnected()) throw new SocketException("Already connected");
            close();
            throw new java.net.UnknownHostException(Net.unresolvedMessage(isa));
        }
        if (timeout < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        try {
            if (!sc.isBlocking()) throw new IllegalBlockingModeException();
            sc.connect(remote, timeout > 0 ? timeout : -1);
        } catch (Exception e) {
            throw Exceptions.translatePassingIO(e, true);
        }
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        try {
            sc.bind(local);
        } catch (Exception e) {
            throw Exceptions.translatePassingIO(e, false);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress remote = sc.remoteAddressUnchecked();   // as the JDK: kept after close
        return remote != null ? remote.getAddress() : null;
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress local = sc.localAddressUnchecked();
        if (local != null && sc.isOpen()) {
            return local.getAddress();
        }
        return new InetSocketAddress(0).getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress remote = sc.remoteAddressUnchecked();
        return remote != null ? remote.getPort() : 0;
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress local = sc.localAddressUnchecked();
        return local != null ? local.getPort() : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return sc.remoteAddressUnchecked();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return sc.localAddressUnchecked();
    }

    private void ensureStreamable() throws SocketException {
        if (!sc.isOpen()) throw new SocketException("Socket is closed");
        if (!sc.isConnected()) throw new SocketException("Socket is not connected");
    }

    @Override
    public InputStream getInputStream() throws IOException {
        ensureStreamable();
        if (sc.isInputClosed()) throw new SocketException("Socket input is shutdown");
        synchronized (this) {
            if (in == null) in = new In();
            return in;
        }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureStreamable();
        if (sc.isOutputClosed()) throw new SocketException("Socket output is shutdown");
        synchronized (this) {
            if (out == null) out = new Out();
            return out;
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n > 0 ? b[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (!sc.isBlocking()) throw new IllegalBlockingModeException();
            if (len == 0) return 0;
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            int to = timeout;
            return sc.read(bb, to > 0 ? to : -1);   // ClosedChannelException passes, as from the JDK's streams
        }

        @Override
        public int available() throws IOException {
            if (!sc.isOpen()) throw new SocketException("Socket closed");
            if (sc.isInputClosed()) return 0;
            return sc.available();
        }

        @Override
        public void close() throws IOException {
            sc.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return;
            if (!sc.isOpen()) throw new java.nio.channels.ClosedChannelException();
            if (!sc.isBlocking()) throw new IllegalBlockingModeException();
            // as the JDK's socket output stream: shut down output is ClosedChannelException (the channel's
            // write reports AsynchronousCloseException there)
            if (sc.isOutputClosed()) throw new java.nio.channels.ClosedChannelException();
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                if (bb.position() > off && !sc.isOpen()) {
                    // closed after part was written: as the JDK's stream (one blocking write), not a fresh CCE
                    throw new java.nio.channels.AsynchronousCloseException();
                }
                sc.write(bb);   // ClosedChannelException passes, as from the JDK's streams
            }
        }

        @Override
        public void close() throws IOException {
            sc.close();
        }
    }

    // ---- options

    private <T> void setOpt(SocketOption<T> name, T value) throws SocketException {
        Adaptors.setSocketOption(sc, name, value);
    }

    private <T> T getOpt(SocketOption<T> name) throws SocketException {
        return Adaptors.getSocketOption(sc, name);
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        setOpt(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return getOpt(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (!on) linger = -1;   // as the JDK's adaptor: a negative value with on=true also disables linger
        setOpt(StandardSocketOptions.SO_LINGER, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return getOpt(StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        int n = sc.sendUrgentData(data);
        if (n == 0) throw new SocketException("Socket buffer full");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        setOpt(PrivateOptions.SO_OOBINLINE, on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return getOpt(PrivateOptions.SO_OOBINLINE);
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        this.timeout = Adaptors.checkTimeout(sc, timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        Adaptors.ensureOpen(sc);
        return timeout;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("Invalid send size");
        setOpt(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return getOpt(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("Invalid receive size");
        setOpt(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return getOpt(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        setOpt(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return getOpt(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        setOpt(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return getOpt(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        setOpt(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return getOpt(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        Adaptors.setOption(sc, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return Adaptors.getOption(sc, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return sc.supportedOptions();
    }

    @Override
    public void close() throws IOException {
        sc.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            sc.shutdownInput();
        } catch (Exception e) {
            throw Exceptions.translatePassingIO(e, false);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            sc.shutdownOutput();
        } catch (Exception e) {
            throw Exceptions.translatePassingIO(e, false);
        }
    }

    @Override
    public boolean isConnected() {
        return sc.isConnected();
    }

    @Override
    public boolean isBound() {
        return sc.localAddressUnchecked() != null;
    }

    @Override
    public boolean isClosed() {
        return !sc.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return sc.isInputClosed();
    }

    @Override
    public boolean isOutputShutdown() {
        return sc.isOutputClosed();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // not implemented, as in the JDK
    }

    @Override
    public String toString() {
        if (sc.isConnected()) {
            return "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
        }
        return "Socket[unconnected]";
    }
}
