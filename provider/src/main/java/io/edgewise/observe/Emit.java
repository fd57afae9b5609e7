package io.edgewise.observe;

import java.net.SocketAddress;

/**
 * Makes and commits the JFR events; the only class besides {@link Events} that names an event type,
 * so neither is loaded unless {@link Jfr#active()}. Each {@code begin*} returns null unless its type is
 * enabled, so nothing is allocated when no recording wants the event.
 */
final class Emit {
    private Emit() { }

    static {
        // the first use after JFR initialized: install the periodic events too
        JfrHooks.install();
    }

    /** Loads this class (and so installs the periodic hooks). */
    static void init() {
    }

    static String str(Object o) {
        return o == null ? null : o.toString();
    }

    // ---- select

    static Object beginSelect() {
        if (!Events.Select.PROBE.isEnabled()) return null;
        Events.Select e = new Events.Select();
        e.begin();
        return e;
    }

    static void endSelect(Object event, SelectorStats s, long timeout, int polled, int ready, int keys, boolean woken) {
        Events.Select e = (Events.Select) event;
        e.end();
        if (e.shouldCommit()) {
            e.selectorId = s.id;
            e.backend = s.backend;
            e.timeout = timeout < 0 ? Long.MIN_VALUE : timeout; // N/A: no timeout
            e.polledEvents = polled;
            e.keysReady = ready;
            e.registeredKeys = keys;
            e.wokenUp = woken;
            e.commit();
        }
    }

    static void spin(SelectorStats s, long count, int keys, int selected, int polled) {
        if (!Events.SelectorSpin.PROBE.isEnabled()) return;
        Events.SelectorSpin e = new Events.SelectorSpin();
        if (e.shouldCommit()) {
            e.selectorId = s.id;
            e.backend = s.backend;
            e.consecutiveSelects = count;
            e.registeredKeys = keys;
            e.selectedKeys = selected;
            e.polledEvents = polled;
            e.commit();
        }
    }

    // ---- blocking I/O

    static Object begin(ChannelKind kind, boolean in) {
        boolean datagram = kind == ChannelKind.UDP || kind == ChannelKind.UNIX_DATAGRAM;
        Object e;
        if (in) {
            if (datagram ? !Events.Receive.PROBE.isEnabled() : !Events.Read.PROBE.isEnabled()) return null;
            e = datagram ? new Events.Receive() : new Events.Read();
        } else {
            if (datagram ? !Events.Send.PROBE.isEnabled() : !Events.Write.PROBE.isEnabled()) return null;
            e = datagram ? new Events.Send() : new Events.Write();
        }
        ((jdk.jfr.Event) e).begin();
        return e;
    }

    static void endRead(Object event, ChannelKind kind, long n, boolean timedOut, Object address) {
        if (event instanceof Events.Receive) {
            Events.Receive e = (Events.Receive) event;
            e.end();
            if (e.shouldCommit()) {
                e.channelKind = kind.label;
                e.address = str(address);
                e.bytesReceived = Math.max(0, n);
                e.timedOut = timedOut;
                e.commit();
            }
            return;
        }
        Events.Read e = (Events.Read) event;
        e.end();
        if (e.shouldCommit()) {
            e.channelKind = kind.label;
            e.address = str(address);
            e.bytesRead = Math.max(0, n);
            e.endOfStream = n == -1;
            e.timedOut = timedOut;
            e.commit();
        }
    }

    static void endWrite(Object event, ChannelKind kind, long n, Object address) {
        if (event instanceof Events.Send) {
            Events.Send e = (Events.Send) event;
            e.end();
            if (e.shouldCommit()) {
                e.channelKind = kind.label;
                e.address = str(address);
                e.bytesSent = Math.max(0, n);
                e.commit();
            }
            return;
        }
        Events.Write e = (Events.Write) event;
        e.end();
        if (e.shouldCommit()) {
            e.channelKind = kind.label;
            e.address = str(address);
            e.bytesWritten = Math.max(0, n);
            e.commit();
        }
    }

    // ---- accept, connect

    static Object beginAccept() {
        if (!Events.Accept.PROBE.isEnabled()) return null;
        Events.Accept e = new Events.Accept();
        e.begin();
        return e;
    }

    static void endAccept(Object event, ChannelKind kind, boolean blocking, SocketAddress local, Object remote) {
        Events.Accept e = (Events.Accept) event;
        e.end();
        if (e.shouldCommit()) {
            e.channelKind = kind.label;
            e.localAddress = str(local);
            e.remoteAddress = str(remote);
            e.blocking = blocking;
            e.commit();
        }
    }

    static Object beginConnect(Object target, boolean blocking, boolean async) {
        if (!Events.Connect.PROBE.isEnabled()) return null;
        Events.Connect e = new Events.Connect();
        e.target = str(target);
        e.blocking = blocking;
        e.asyncResolve = async;
        e.begin();
        return e;
    }

    static void endConnect(Object event, ChannelKind kind, SocketAddress local, SocketAddress remote,
                           long resolveNanos, int tried, String winner, String failure) {
        Events.Connect e = (Events.Connect) event;
        e.end();
        if (e.shouldCommit()) {
            e.channelKind = kind.label;
            e.localAddress = str(local);
            e.remoteAddress = str(remote);
            e.resolveTime = resolveNanos < 0 ? Long.MIN_VALUE : resolveNanos; // N/A: not resolved by Edgewise
            e.addressesTried = tried;
            e.winner = winner;
            e.failure = failure;
            e.commit();
        }
    }

    // ---- close

    static void closed(ChannelKind kind, SocketAddress local, SocketAddress remote, long lifetime,
                       long in, long out, String ending, boolean registered) {
        if (!Events.ChannelClosed.PROBE.isEnabled()) return;
        Events.ChannelClosed e = new Events.ChannelClosed();
        if (e.shouldCommit()) {
            e.channelKind = kind.label;
            e.localAddress = str(local);
            e.remoteAddress = str(remote);
            e.lifetime = lifetime;
            e.bytesIn = in;
            e.bytesOut = out;
            e.ending = ending;
            e.registered = registered;
            e.commit();
        }
    }
}
