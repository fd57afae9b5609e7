package io.edgewise.observe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** Records a scenario with the given Edgewise events and returns what the recording holds. */
final class Jfrs {
    private Jfrs() { }

    @FunctionalInterface
    interface Scenario {
        void run() throws Exception;
    }

    /** Events enabled with threshold 0 (duration events) or period endChunk (periodic ones). */
    static List<RecordedEvent> record(Scenario scenario, String... events) throws Exception {
        Path file = Files.createTempFile("edgewise", ".jfr");
        try (Recording r = new Recording()) {
            for (String e : events) {
                r.enable(e).withThreshold(Duration.ZERO).with("period", "endChunk");
            }
            r.start();
            scenario.run();
            r.stop();
            r.dump(file);
            return RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static List<RecordedEvent> named(List<RecordedEvent> all, String name) {
        return all.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }
}
