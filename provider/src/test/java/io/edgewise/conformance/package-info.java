/**
 * Conformance suite: the public {@code java.nio} contract, run on the JDK's provider (the reference,
 * which proves each test right) and on Edgewise. If the JDK passes and Edgewise fails, it is an
 * Edgewise bug; if the JDK fails, the test is wrong.
 *
 * <ul>
 *   <li>{@link io.edgewise.conformance.SelectorContractTest}: every observable Selector/SelectionKey rule.</li>
 *   <li>{@link io.edgewise.conformance.DifferentialTest}: scenarios (mostly bad input) recorded step by step
 *       on both providers; the records must be equal.</li>
 *   <li>{@link io.edgewise.conformance.ChannelContractTest}: channel behaviour with explicit expectations.</li>
 *   <li>{@link io.edgewise.conformance.AsyncCloseInterruptTest}: close / interrupt of every blocking op.</li>
 *   <li>{@link io.edgewise.conformance.SelectorRaceTest}: registration, interest, cancel, select, wakeup,
 *       close and interrupt racing each other.</li>
 *   <li>{@link io.edgewise.conformance.DeferredCloseStressTest}: no byte reaches a connection that reused a
 *       closed channel's descriptor number.</li>
 *   <li>{@link io.edgewise.conformance.DescriptorLeakTest}: open/close cycles keep {@code /proc/self/fd} constant.</li>
 * </ul>
 *
 * <p>Run: {@code mvn -q -pl provider test -Dtest='io.edgewise.conformance.**'} (JDK 17), and the same with
 * {@code JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64}. Debugging aids (never needed for a normal run):
 * {@code -Dedgewise.conformance.providers=jdk|edgewise} restricts the parameterized tests to one
 * provider (the default runs both); {@code -Dedgewise.conformance.dump=DIR} writes both records of every
 * differential scenario to DIR.
 *
 * <p>Channels are always obtained from {@code provider.openXxx()}, never from {@code SocketChannel.open()}
 * (which uses the system-wide provider).
 */
package io.edgewise.conformance;
