package io.contactaudit.evaluate;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link BacklogProbe} from the Kafka clients' own figure: the consumer's {@code records-lag} of a partition
 * (group {@code consumer-fetch-manager-metrics}), as of the last records it handed over for the partition (not its
 * last fetch: fetched records can wait in the consumer behind other partitions'). Looked up on each call, since a metric goes
 * when its partition moves to another consumer and comes with its first fetch: a task asks only about its own
 * partition, so no metric means "not fetched yet", never "nothing waiting" (after a SIGKILLed instance's tasks move, the
 * new owner cannot fetch until the dead instance's transaction times out, ~10 s, while snapshots wait).
 */
public final class ConsumerLag implements BacklogProbe {

    static final String GROUP = "consumer-fetch-manager-metrics";
    static final String NAME = "records-lag";
    static final String FETCHES = "fetch-total";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    /** Each stream thread's consumer's fetch-total, looked up once: read on every tick of every task. */
    private final ThreadLocal<Metric> fetchTotal = new ThreadLocal<>();

    /** @param metrics the client's metrics, e.g. {@code KafkaStreams::metrics} */
    public ConsumerLag(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    @Override
    public long lag(TopicPartition partition) {
        String number = String.valueOf(partition.partition());
        long lag = NOT_FETCHED; // the metric appears with the partition's first fetch
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
            MetricName name = e.getKey();
            if (NAME.equals(name.name())
                    && GROUP.equals(name.group())
                    && partition.topic().equals(name.tags().get("topic"))
                    && number.equals(name.tags().get("partition"))
                    && e.getValue().metricValue() instanceof Number n
                    && !Double.isNaN(n.doubleValue())) {
                lag = lag == NOT_FETCHED ? n.longValue() : Math.max(lag, n.longValue());
            }
        }
        return lag;
    }

    /** The fetch responses of the calling stream thread's consumer, whose client id is the thread's name + "-consumer". */
    @Override
    public long fetches() {
        Metric total = fetchTotal.get();
        if (total == null) {
            String client = Thread.currentThread().getName() + "-consumer";
            for (Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
                MetricName name = e.getKey();
                if (FETCHES.equals(name.name())
                        && GROUP.equals(name.group())
                        && client.equals(name.tags().get("client-id"))
                        && !name.tags().containsKey("topic")) {
                    total = e.getValue();
                    break;
                }
            }
            if (total == null) {
                return -1;
            }
            fetchTotal.set(total);
        }
        return total.metricValue() instanceof Number n ? n.longValue() : -1;
    }
}
