package io.edgewise.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.CountDownLatch;

/**
 * One client connection of the echo benchmark: keeps up to {@code window} fixed-size messages in flight,
 * sends a new one for each message fully echoed back, until its send budget runs out.
 *
 * <p>Concurrency: every non-volatile field is confined to the channel's event loop thread; {@link #start},
 * {@link #stop} and {@link #recordLatency} hop onto it. {@code sent}/{@code received} are volatile, written
 * only by the event loop, read by the driving thread.
 */
final class EchoClientHandler extends ChannelInboundHandlerAdapter {
    private final ByteBuf payload;
    private final int size;
    private final int window;
    final CountDownLatch active = new CountDownLatch(1);
    private ChannelHandlerContext ctx;
    private long budget;
    private long partial;
    private long sentLocal;
    private long receivedLocal;
    volatile long sent;
    volatile long received;
    volatile Throwable failure;
    // latency recording (window == 1 only makes sense)
    private boolean recording;
    private int[] samples = new int[0];
    private int nSamples;
    private long lastSend;

    EchoClientHandler(ByteBuf payload, int size, int window) {
        this.payload = payload;
        this.size = size;
        this.window = window;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        active.countDown();
    }

    /** Allow {@code messages} more messages to be sent, and fill the window. */
    void start(long messages) {
        ctx.executor().execute(() -> {
            budget = messages;
            long inflight = sentLocal - receivedLocal;
            while (inflight < window && budget > 0) {
                send();
                inflight++;
            }
            sent = sentLocal;
            ctx.flush();
        });
    }

    /** Stop sending new messages; in-flight ones still come back. */
    void stop() {
        ctx.executor().execute(() -> budget = 0);
    }

    /** Start (capacity > 0) or stop (capacity 0) recording round-trip times. */
    void recordLatency(int capacity) {
        ctx.executor().execute(() -> {
            if (capacity > 0) {
                if (samples.length < capacity) {
                    samples = new int[capacity];
                }
                nSamples = 0;
                lastSend = 0; // the message in flight was sent unrecorded: no sample for it
                recording = true;
            } else {
                recording = false;
            }
        });
    }

    /** Samples recorded so far (call after {@code recordLatency(0)} and a quiesce). */
    int[] latencies() {
        return java.util.Arrays.copyOf(samples, nSamples);
    }

    private void send() {
        budget--;
        sentLocal++;
        if (recording) {
            lastSend = System.nanoTime(); // only latency runs need it: the clock read costs ~30 ns a message
        }
        ctx.write(payload.duplicate(), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        partial += b.readableBytes();
        b.release();
        boolean more = false;
        while (partial >= size) {
            partial -= size;
            receivedLocal++;
            if (recording && lastSend != 0 && nSamples < samples.length) {
                long rtt = System.nanoTime() - lastSend;
                samples[nSamples++] = (int) Math.min(Integer.MAX_VALUE, rtt);
            }
            if (budget > 0) {
                send();
                more = true;
            }
        }
        received = receivedLocal;
        if (more) {
            sent = sentLocal;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        ctx.close();
    }
}
