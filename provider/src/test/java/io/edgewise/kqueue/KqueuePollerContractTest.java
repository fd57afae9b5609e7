package io.edgewise.kqueue;

import static io.edgewise.backend.Poller.ERR;
import static io.edgewise.backend.Poller.HUP;
import static io.edgewise.backend.Poller.IN;
import static io.edgewise.backend.Poller.OUT;
import static io.edgewise.backend.Poller.RDHUP;

import io.edgewise.backend.PollerContract;
import io.edgewise.backend.kqueue.KqueuePoller;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.KqueueLibrary;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link io.edgewise.backend.Poller} contract ({@link PollerContract}) over a real kqueue: natively on
 * macOS/BSD, on Linux when {@code -Dio.edgewise.kqueue.library} names libkqueue; skipped elsewhere.
 * kqueue's own cases are {@link KqueuePollerTest}'s.
 */
@Timeout(30)
class KqueuePollerContractTest extends PollerContract<KqueuePoller> {
    @BeforeEach
    void needKqueue() {
        Assumptions.assumeTrue(KqueueLibrary.available(), "no kqueue here (" + System.getProperty("os.name")
                + "): on Linux run with -D" + KqueueConstants.LIBRARY_PROPERTY + "=/path/to/libkqueue.so.0");
    }

    @Override
    protected KqueuePoller newPoller() throws IOException {
        return new KqueuePoller();
    }

    /** EV_ADD adds or modifies; a refused change (EBADF) comes back in the batch ({@link KqueuePollerTest}). */
    @Override
    protected boolean rejectsStaleChanges() {
        return false;
    }

    /** The wakeup's event is cleared when kevent reports it. */
    @Override
    protected boolean wakeupPersistsUntilCleared() {
        return false;
    }

    /** EV_EOF on the read filter: the end of file is readable, as after a peer's shutdown. */
    @Override
    protected int writerGoneEvents() {
        return IN | RDHUP;
    }

    /** EV_EOF with the error on the write filter. */
    @Override
    protected int readerGoneEvents() {
        return OUT | ERR | HUP;
    }
}
