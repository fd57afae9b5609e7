package io.edgewise;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Netty's NIO transport, unchanged, echoing over Edgewise (the JVM-wide provider in this module).
 * Netty swallows what a handler throws (it only logs it), so the handlers record the first mismatch or
 * exception and the test thread asserts on it.
 */
class NettyEchoSmokeTest {
    @Test
    void nettyNioEchoRunsOnEdgewise() throws Exception {
        assertEquals(EdgewiseSelectorProvider.class, SelectorProvider.provider().getClass(),
                "the provider module's service entry must make Edgewise the JVM's provider");
        final int messages = 2_000, size = 256;
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    failure.compareAndSet(null, cause);
                                    done.countDown();
                                }
                            });
                        }
                    }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            assertTrue(server.getClass() == NioServerSocketChannel.class);

            AtomicLong received = new AtomicLong();
            long expected = (long) messages * size;
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
                                long at = received.getAndIncrement();
                                byte want = (byte) (at % 251);
                                if (b.getByte(i) != want && failure.get() == null) {
                                    failure.compareAndSet(null, new AssertionError(
                                            "byte " + at + ": expected " + want + " but was " + b.getByte(i)));
                                    done.countDown();
                                }
                            }
                            b.release();
                            if (received.get() == expected) done.countDown();
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            failure.compareAndSet(null, cause);
                            done.countDown();
                        }
                    }).connect(server.localAddress()).sync().channel();
            for (int m = 0; m < messages; m++) {
                byte[] payload = new byte[size];
                for (int i = 0; i < size; i++) payload[i] = (byte) (((long) m * size + i) % 251);
                client.write(Unpooled.wrappedBuffer(payload));
            }
            client.flush();
            assertTrue(done.await(30, TimeUnit.SECONDS), "echoed " + received.get() + " of " + expected);
            assertNull(failure.get(), () -> "echo failed: " + failure.get());
            assertEquals(expected, received.get(), "bytes echoed");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
