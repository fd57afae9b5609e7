package io.edgewise.iocp.emulated;

import io.edgewise.backend.Poller;
import io.edgewise.backend.iocp.IocpPoller;
import java.io.IOException;

/**
 * The IOCP backend's state machine ({@link IocpPoller}) over {@link EpollAfdPort}, as a backend the
 * selector can load by name ({@code -Dio.edgewise.backend=io.edgewise.iocp.emulated.EmulatedIocpPoller}),
 * so the project's selector and trigger-mode suites run against it with real sockets on Linux.
 * Descriptors are their own socket handles here.
 */
public final class EmulatedIocpPoller implements Poller {
    private final IocpPoller delegate;

    public EmulatedIocpPoller() throws IOException {
        delegate = new IocpPoller(new EpollAfdPort(), fd -> fd, true); // re-armed by WouldBlockReportingOps' reports
    }

    @Override public void update(int fd, int registered, int events) throws IOException { delegate.update(fd, registered, events); }
    @Override public int poll(long timeoutMillis) throws IOException { return delegate.poll(timeoutMillis); }
    @Override public int descriptor(int i) { return delegate.descriptor(i); }
    @Override public int events(int i) { return delegate.events(i); }
    @Override public boolean wokenUp() { return delegate.wokenUp(); }
    @Override public void wakeup() throws IOException { delegate.wakeup(); }
    @Override public void clearWakeup() throws IOException { delegate.clearWakeup(); }
    @Override public void close() throws IOException { delegate.close(); }
}
