package io.edgewise.regression;

import static io.edgewise.backend.Poller.IN;
import static io.edgewise.backend.Poller.OUT;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.PollerContract;
import io.edgewise.backend.epoll.EpollPoller;
import java.io.IOException;
import java.nio.channels.Pipe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link io.edgewise.backend.Poller} contract ({@link PollerContract}) over the epoll backend directly, plus
 * epoll's own errno reports. The selector never asks {@code wokenUp()}, always keeps {@code registered} in step
 * with the kernel, and sees only the events it asked for, so these parts of {@link EpollPoller} were exercised by
 * no test before (found by mutation testing, scripts/mutation.sh epoll).
 */
@Timeout(30)
class EpollPollerContractTest extends PollerContract<EpollPoller> {
    @BeforeEach
    void linuxOnly() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "epoll is Linux only");
    }

    @Override
    protected EpollPoller newPoller() throws IOException {
        return new EpollPoller();
    }

    @Override
    protected void checkStaleChangeError(IOException e) {
        assertTrue(e.getMessage().startsWith("epoll_ctl: "), e.getMessage());
    }

    @Test
    void aBadDescriptorFailsWithTheErrno() throws IOException {
        EpollPoller p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        a.source().close(); // never registered with a selector: closed at once, the number is free
        IOException add = assertThrows(IOException.class, () -> p.update(r, 0, IN));
        assertTrue(add.getMessage().startsWith("epoll_ctl: "), add.getMessage());
        assertThrows(IOException.class, () -> p.update(r, IN, OUT), "modify: EBADF, no fallback");
        assertThrows(IOException.class, () -> p.update(r, IN, 0), "delete: EBADF is not ENOENT");
    }
}
