package dev.outpost.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsAreDistinctAndBindable() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ports.add(FreePorts.next());
        }

        assertThat(ports).doesNotHaveDuplicates();
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void portsAreOutsideTheKernelsEphemeralRange() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        String[] bounds = Files.exists(range) ? Files.readAllLines(range).getFirst().trim().split("\\s+")
                : new String[] {"32768", "60999"};
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[1]);
        assertThat(FreePorts.ephemeralRange()).as("the range read, not the fallback").containsExactly(low, high);

        for (int i = 0; i < 50; i++) {
            assertThat(FreePorts.next()).satisfiesAnyOf(p -> assertThat(p).isLessThan(low),
                    p -> assertThat(p).isGreaterThan(high));
        }
    }

    @Test
    void thePoolLeavesTheEphemeralRangeOut() {
        assertThat(FreePorts.pool(new int[] {32_768, 60_999})).containsExactly(FreePorts.FLOOR, 32_767);
        assertThat(FreePorts.pool(new int[] {10_000, 60_000})).containsExactly(60_001, 65_535);
        assertThat(FreePorts.pool(new int[] {1_024, 65_000})).containsExactly(1_024, 65_535);
    }

    @Test
    void aPortInUseIsSkippedAndAPortIsHandedOutOnce() throws Exception {
        int port = FreePorts.next();
        FreePorts onlyThatPort = new FreePorts(new int[] {port, port});

        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(onlyThatPort::take).isInstanceOf(IllegalStateException.class)
                    .hasMessage("no free port left in " + port + "-" + port);
        }
        assertThat(onlyThatPort.take()).isEqualTo(port);
        assertThatThrownBy(onlyThatPort::take).isInstanceOf(IllegalStateException.class);
    }
}
