package io.edgewise.wakeup;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** {@link WakeupStressBase} over epoll with the Linux socket layer. */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class EpollWakeupStressTest extends WakeupStressBase {
    @Override
    List<String> backendOptions() {
        return List.of("-Dio.edgewise.backend=epoll", "-Dio.edgewise.socketops=");
    }

    @Override
    String readyPoller() {
        return "EpollReadyPoller";
    }

    @Override
    boolean hasReadyPoller() {
        return true;
    }
}
