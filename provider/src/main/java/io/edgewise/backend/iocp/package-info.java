/**
 * The IOCP backend for Windows: readiness (what the {@link io.edgewise.backend.Poller} contract and the
 * Selector API need) out of I/O completions, the technique of wepoll, mio and the JDK's own Windows
 * selector.
 *
 * <ul>
 * <li>{@link io.edgewise.backend.iocp.IocpPoller}: the per-socket state machine (idle → poll pending →
 *     cancel pending → …), trigger modes, poll groups, wakeup. Pure Java over
 * <li>{@link io.edgewise.sys.windows.CompletionPort}: one method per Win32/NT call
 *     ({@code NtDeviceIoControlFile(IOCTL_AFD_POLL)}, {@code NtCancelIoFileEx},
 *     {@code GetQueuedCompletionStatusEx}, {@code PostQueuedCompletionStatus}, {@code SIO_BASE_HANDLE}),
 *     implemented natively by {@link io.edgewise.sys.windows.NativeCompletionPort} and by a replaying
 *     fake in the tests.
 * <li>{@link io.edgewise.backend.iocp.AfdEvents}: AFD poll events ↔ Poller events.
 * </ul>
 *
 * <h2>Edge triggering needs "would block"</h2>
 * An AFD poll is one-shot; an edge-triggered registration is re-armed for a direction only after a read
 * (or accept) or write on the socket returned {@code WSAEWOULDBLOCK}. The Windows socket ops report every
 * such result to {@link io.edgewise.sys.windows.WouldBlock}, which passes it to the re-arm hook of each
 * registration of that descriptor only (one per selector the channel is registered with), so the
 * channels and the selector need no change.
 *
 * <h2>Status</h2>
 * Implemented and unit-tested; the Win32/NT call sequences are asserted by C probes under wine
 * ({@code scripts/iocp-probes.sh}); not yet run on a Windows JVM.
 */
package io.edgewise.backend.iocp;
