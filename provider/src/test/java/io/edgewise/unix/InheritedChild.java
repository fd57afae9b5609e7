package io.edgewise.unix;

import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child process of {@link InheritedChannelTest}: reports what {@code System.inheritedChannel()}
 * returned through that channel (or "null" on stdout), closes it, then waits (bounded) until the
 * parent removes the marker file given as argument, so the parent can see the socket released by the
 * close itself rather than by the process exit.
 */
public final class InheritedChild {
    private InheritedChild() { }

    public static void main(String[] args) throws Exception {
        Channel ch = System.inheritedChannel();
        if (ch == null) {
            System.out.println("null");
            return;
        }
        String kind = ch instanceof SocketChannel ? "SocketChannel"
                : ch instanceof ServerSocketChannel ? "ServerSocketChannel"
                : ch instanceof DatagramChannel ? "DatagramChannel" : ch.getClass().getName();
        String provider = ((java.nio.channels.spi.AbstractSelectableChannel) ch).provider().getClass().getName();
        ByteBuffer msg = ByteBuffer.wrap((kind + " " + provider + " " + (System.inheritedChannel() == ch))
                .getBytes(StandardCharsets.UTF_8));
        if (ch instanceof SocketChannel) {
            ((SocketChannel) ch).write(msg);
        } else if (ch instanceof DatagramChannel) {
            ((DatagramChannel) ch).write(msg);
        } else if (ch instanceof ServerSocketChannel) {
            try (SocketChannel s = ((ServerSocketChannel) ch).accept()) {
                s.write(msg);
            }
        }
        ch.close();
        Path marker = Path.of(args[0]);
        for (int i = 0; i < 1000 && Files.exists(marker); i++) {
            Thread.sleep(10);
        }
    }
}
