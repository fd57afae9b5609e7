package io.edgewise.channels;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;

/**
 * What the socket adaptors ({@link SocketAdaptor}, {@link ServerSocketAdaptor},
 * {@link DatagramSocketAdaptor}) share: their channel's options behind {@code java.net}'s method
 * signatures, and the {@code SO_TIMEOUT} checks. Stateless.
 */
final class Adaptors {
    private Adaptors() { }

    /** The legacy option setters (setReuseAddress, setReceiveBufferSize, ...): failures as SocketException. */
    static <T> void setSocketOption(NetworkChannel ch, SocketOption<T> name, T value) throws SocketException {
        try {
            ch.setOption(name, value);
        } catch (IOException e) {
            throw Exceptions.toSocketException(e);
        }
    }

    /** The legacy option getters (getReuseAddress, getReceiveBufferSize, ...): failures as SocketException. */
    static <T> T getSocketOption(NetworkChannel ch, SocketOption<T> name) throws SocketException {
        try {
            return ch.getOption(name);
        } catch (IOException e) {
            throw Exceptions.toSocketException(e);
        }
    }

    /**
     * {@code setOption(SocketOption, T)} of a socket adaptor: the channel's, exceptions unchanged (the
     * JDK's adaptors throw the channel's ClosedChannelException here, not "Socket is closed").
     */
    static <T> void setOption(NetworkChannel ch, SocketOption<T> name, T value) throws IOException {
        ch.setOption(name, value);
    }

    /** {@code getOption(SocketOption)} of a socket adaptor: the channel's, exceptions unchanged. */
    static <T> T getOption(NetworkChannel ch, SocketOption<T> name) throws IOException {
        return ch.getOption(name);
    }

    /** The adaptor of a closed channel: {@code SocketException("Socket is closed")}. */
    static void ensureOpen(Channel ch) throws SocketException {
        if (!ch.isOpen()) throw new SocketException("Socket is closed");
    }

    /** {@code setSoTimeout}'s checks; returns {@code timeout}. */
    static int checkTimeout(Channel ch, int timeout) throws SocketException {
        ensureOpen(ch);
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
        return timeout;
    }
}
