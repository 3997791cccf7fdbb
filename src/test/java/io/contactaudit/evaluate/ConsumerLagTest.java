package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {

    static Map.Entry<MetricName, Metric> metric(String name, String group, String topic, int partition, double value) {
        return metric(
                name, group, Map.of("client-id", "c", "topic", topic, "partition", String.valueOf(partition)), value);
    }

    static Map.Entry<MetricName, Metric> metric(String name, String group, Map<String, String> tags, double value) {
        MetricName id = new MetricName(name, group, "", tags);
        return Map.entry(id, new Metric() {
            @Override
            public MetricName metricName() {
                return id;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    @Test
    void theConsumersRecordsLagOfThePartition() {
        Map<MetricName, Metric> metrics = Map.ofEntries(
                metric("records-lag", "consumer-fetch-manager-metrics", "snapshots", 0, 0),
                metric("records-lag", "consumer-fetch-manager-metrics", "snapshots", 1, 1234),
                metric("records-lag-max", "consumer-fetch-manager-metrics", "snapshots", 2, 99),
                metric("records-lag", "consumer-fetch-manager-metrics", "other", 2, 7),
                metric("records-lag", "consumer-fetch-manager-metrics", "snapshots", 3, Double.NaN));
        ConsumerLag lag = new ConsumerLag(() -> metrics);
        assertThat(lag.lag(new TopicPartition("snapshots", 0))).isZero();
        assertThat(lag.lag(new TopicPartition("snapshots", 1))).isEqualTo(1234);
        assertThat(lag.lag(new TopicPartition("snapshots", 2)))
                .as("no records-lag: not fetched yet (a task asks only about its own partition)")
                .isEqualTo(BacklogProbe.NOT_FETCHED);
        assertThat(lag.lag(new TopicPartition("snapshots", 3)))
                .as("not fetched yet")
                .isEqualTo(BacklogProbe.NOT_FETCHED);
    }

    @Test
    void theFetchResponsesOfTheCallingStreamThreadsConsumer() {
        String mine = Thread.currentThread().getName() + "-consumer";
        Map<MetricName, Metric> metrics = Map.ofEntries(
                metric("fetch-total", ConsumerLag.GROUP, Map.of("client-id", mine), 42),
                metric("fetch-total", ConsumerLag.GROUP, Map.of("client-id", mine, "topic", "snapshots"), 7),
                metric("fetch-total", ConsumerLag.GROUP, Map.of("client-id", "other-StreamThread-2-consumer"), 99),
                metric(
                        "fetch-total",
                        ConsumerLag.GROUP,
                        Map.of("client-id", mine.replace("-consumer", "-restore-consumer")),
                        5));
        assertThat(new ConsumerLag(() -> metrics).fetches()).isEqualTo(42);
        assertThat(new ConsumerLag(Map::of).fetches()).as("not counted").isEqualTo(-1);
    }
}
