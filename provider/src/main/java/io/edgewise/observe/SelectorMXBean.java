package io.edgewise.observe;

import java.util.List;

/**
 * One open Edgewise selector ({@code io.edgewise:type=Selector,id=N}). Counters run from the
 * selector's opening; they are written by the selecting thread without synchronization and read here
 * racily, so a value may lag the selector by a selection operation.
 */
public interface SelectorMXBean {
    long getId();

    String getBackend();

    int getRegisteredKeys();

    /** Selection operations (select, selectNow, with or without action). */
    long getSelects();

    /** Selection operations that updated no key. */
    long getEmptySelects();

    /** Selection operations ended by {@code wakeup()} (or started with one pending). */
    long getWakeups();

    /** {@code wakeup()} calls that had to signal the poller (its native write). */
    long getWakeupSignals();

    /** Wakeup signals the selecting thread consumed (its native read of the wakeup descriptor). */
    long getWakeupDrains();

    /** Keys updated by selection operations (the sum of their return values). */
    long getKeysSelected();

    /** Events the backend reported (the sum of the poll batches). */
    long getEventsPolled();

    /** Keys selected per selection operation, on average. */
    double getEventsPerSelect();

    /** Queued key changes (interest, trigger mode, oneshot re-arm) the selector applied. */
    long getInterestUpdates();

    /** Native wait calls: epoll_wait, kevent, GetQueuedCompletionStatusEx (EINTR retries included). */
    long getPollCalls();

    /** Native registration changes: epoll_ctl, kevent change lists, AFD poll (re)submissions. */
    long getControlCalls();

    /** Selector-spin anomalies detected (see the edgewise.SelectorSpin event). */
    long getSpins();

    /** The selector's keys now: channel, addresses, interest, ready, trigger mode, oneshot, time since last event. */
    List<KeyInfo> listKeys();
}
