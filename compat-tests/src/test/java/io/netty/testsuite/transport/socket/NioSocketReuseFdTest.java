package io.netty.testsuite.transport.socket;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * NIO run of Netty's abstract {@link AbstractSocketReuseFdTest}: 100 connections opened and closed
 * at once, so descriptor numbers are recycled while events for the old ones may still be queued.
 * Lives in Netty's package to reach {@code SocketTestPermutation.INSTANCE} (package-private), which
 * shares its event loop groups with the rest of the suite.
 */
public class NioSocketReuseFdTest extends AbstractSocketReuseFdTest {
    @Override
    protected SocketAddress newSocketAddress() {
        return new InetSocketAddress(NetUtil.LOCALHOST, 0);
    }

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SocketTestPermutation.INSTANCE.socket();
    }
}
