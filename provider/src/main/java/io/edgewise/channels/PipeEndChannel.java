package io.edgewise.channels;

import java.io.IOException;

/**
 * What the two ends of a pipe answer alike, through their {@link PipeEnd}: they extend different JDK classes
 * ({@code Pipe.SourceChannel}, {@code Pipe.SinkChannel}), so they share it as an interface's defaults.
 */
interface PipeEndChannel extends SelChannel {
    /** The end's state and I/O. */
    PipeEnd pipeEnd();

    @Override
    default int fdVal() {
        return pipeEnd().fdVal;
    }

    @Override
    default void kill() throws IOException {
        pipeEnd().kill();
    }

    @Override
    default io.edgewise.observe.ChannelTrace trace() {
        return pipeEnd().trace;
    }

    @Override
    default int translateInterestOps(int ops) {
        return pipeEnd().interestEvents(ops);
    }

    @Override
    default int translateReadyOps(int events, int interestOps) {
        return pipeEnd().readyOps(events, interestOps);
    }
}
