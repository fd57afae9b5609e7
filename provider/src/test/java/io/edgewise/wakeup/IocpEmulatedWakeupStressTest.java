package io.edgewise.wakeup;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WakeupStressBase} over the IOCP state machine driving real sockets (the epoll-based AFD
 * stand-in of {@code io.edgewise.iocp.emulated}). The IOCP backend has no ready poller, so only the
 * blocking platform-thread reads apply; the other parts are skipped with that reason.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class IocpEmulatedWakeupStressTest extends WakeupStressBase {
    @Override
    List<String> backendOptions() {
        return List.of("-Dio.edgewise.backend=io.edgewise.iocp.emulated.EmulatedIocpPoller",
                "-Dio.edgewise.socketops=io.edgewise.iocp.emulated.WouldBlockReportingOps");
    }

    @Override
    String readyPoller() {
        return "none";
    }

    @Override
    boolean hasReadyPoller() {
        return false;
    }
}
