package io.edgewise.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 item 13: a thread-per-connection server and its 400 clients in one process limited to
 * 1000 descriptors serve all 400 connections on the JDK's provider; so must they on Edgewise (with a
 * descriptor per blocked reader they ran out at about 330).
 */
@Timeout(300)
class DescriptorBudgetTest {
    private static final int CONNECTIONS = 400, NOFILE = 1000;

    @Test
    void fourHundredBlockedReadersUnderAThousandDescriptors() throws Exception {
        assumeTrue(ChildJvm.prlimitAvailable(), "prlimit(1) is not installed");
        for (String provider : List.of("jdk", "edgewise")) {
            ChildJvm.Result r = ChildJvm.run(ThreadPerConnectionServer.class, NOFILE, 240,
                    List.of("-Xmx256m", "-Xss256k", ChildJvm.providerFlag(provider)), Integer.toString(CONNECTIONS));
            assertEquals("none", r.value("error"), provider + ": " + r);
            assertEquals(Integer.toString(CONNECTIONS), r.value("accepted"), provider + ": " + r);
            assertEquals(Integer.toString(CONNECTIONS), r.value("blocked"), provider + ": " + r);
        }
    }
}
