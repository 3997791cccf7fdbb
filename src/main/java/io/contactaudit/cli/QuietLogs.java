package io.contactaudit.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** For commands that draw on the terminal (demo, benchmarks): the application's INFO and Kafka's warnings would interleave. */
final class QuietLogs {

    private QuietLogs() {}

    static void apply() {
        Configurator.setLevel("io.contactaudit", Level.WARN);
        Configurator.setLevel("org.apache.kafka", Level.ERROR);
        Configurator.setLevel("kafka", Level.ERROR);
    }
}
