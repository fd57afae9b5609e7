package io.edgewise.channels;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * The places where the JDK's own provider changed its observable behaviour between releases, each
 * decided once from the running JDK's feature version. Edgewise follows the JDK it runs on; every rule
 * of the channels that depends on the JDK's release lives here (the version checks in
 * {@code sys.NativeMemory} are about which APIs exist, not behaviour). Immutable after class initialisation.
 */
final class JdkBehaviour {
    private JdkBehaviour() { }

    private static final int FEATURE = Runtime.version().feature();

    /**
     * An operation on a channel that was closed before the call checks "closed" before it marks the
     * start of a blocking operation ({@code begin()}), so it throws {@code ClosedChannelException}.
     * Before that, the JDK's blocking {@code connect}, {@code finishConnect}, {@code accept}, datagram
     * {@code send}/{@code receive}/{@code read}/{@code write} and pipe {@code read}/{@code write} called
     * {@code begin()} first; the {@code ClosedChannelException} was then replaced by the
     * {@code AsynchronousCloseException} of {@code end(false)}. The JDK 21 sources still have the old
     * order for all of them, the JDK 25 sources the new one; JDK-8329190 moved the check for
     * {@code DatagramChannel} in JDK 23, and the other channels are taken to have moved with it.
     * Non-blocking calls throw {@code ClosedChannelException} on every version; the socket adaptors'
     * timed {@code connect} and {@code accept} still begin first (so a closed channel gives
     * {@code AsynchronousCloseException} there on every version).
     */
    static final boolean CLOSED_CHECK_BEFORE_BEGIN = FEATURE >= 23;

    /**
     * A thread interrupted in the {@code DatagramSocket} adaptor's {@code receive} gets
     * {@code ClosedByInterruptException} (JDK 19 on, when {@code DatagramSocket.receive}'s specification
     * was changed for virtual threads); JDK 17 and 18 turn it into {@code SocketException("Socket closed")}
     * like any other closed-channel exception.
     */
    static final boolean ADAPTOR_RECEIVE_THROWS_CLOSED_BY_INTERRUPT = FEATURE >= 19;

    /**
     * {@code Socket.connect} of the socket adaptor to an unresolved address closes the socket and
     * throws {@code UnknownHostException}, from JDK 24 on (JDK-8343791).
     */
    static final boolean ADAPTOR_UNRESOLVED_CONNECT_CLOSES = FEATURE >= 24;

    /**
     * What an operation throws on a channel closed before the call, where the JDK's check comes
     * after {@code begin()} on older releases (see {@link #CLOSED_CHECK_BEFORE_BEGIN}).
     */
    static ClosedChannelException closedBeforeCall(boolean blocking) {
        return blocking && !CLOSED_CHECK_BEFORE_BEGIN ? new AsynchronousCloseException() : new ClosedChannelException();
    }

    /**
     * {@code MulticastSocket.setInterface}'s message for an address no interface has: JDK 25 reworded
     * it when it put such messages under {@code jdk.includeInExceptions} (this is its default text).
     */
    static String noInterfaceMessage(String address) {
        return (FEATURE >= 25 ? "No network interface found with address " : "No network interface with address ")
                + address;
    }
}
