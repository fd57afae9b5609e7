package io.edgewise.channels;

import java.nio.channels.SelectionKey;

/**
 * How a channel whose descriptor changed under its selectors (an {@code ASYNC_RESOLVE} connect moved
 * its winning socket onto the channel's number, or started or ended) makes every selector holding one of
 * its keys look at it again: the key's update is queued and a blocked selection goes round so that it
 * is applied now, <em>without</em> ending that selection (the JDK's {@code select} returns 0 only on
 * timeout, {@code wakeup()} or interrupt). Whether the update is a fresh registration (remove, then
 * add) the selector learns from the descriptor's generation ({@link SelChannel#fdGeneration()}), which
 * the channel bumps first.
 *
 * <p>The selector lives in another package and keeps this out of its public API: it installs its
 * implementation here once, when its class is initialised (before any key can exist).
 *
 * <p>Threads: {@code hook} is written once and read by any thread (volatile).
 */
public final class KeyRewatch {
    /** The selector's side: re-add the key's descriptor at the next selection, and go round now. */
    public interface Hook {
        void rewatch(SelectionKey key);
    }

    private static volatile Hook hook;

    private KeyRewatch() { }

    /** Called once by the selector's class initialiser; a second call is refused. */
    public static void install(Hook h) {
        if (hook != null) throw new IllegalStateException("key rewatch hook installed twice");
        hook = java.util.Objects.requireNonNull(h);
    }

    /** Re-adds the key's descriptor at its selector's next (or current) selection. */
    static void rewatch(SelectionKey key) {
        Hook h = hook;
        if (h != null) h.rewatch(key);
    }
}
