package io.contactaudit.bench;

import io.contactaudit.config.ContactAuditConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The fan-out floor: what exactly-once Kafka Streams costs to write, for each snapshot, what the evaluator writes for
 * it, without doing any of the evaluator's work. The evaluator's output in the steady state (cycles 2..N) is measured
 * first, topic by topic ({@link #measure}): records per snapshot, and a sample of the records themselves. The floor
 * topology then reads each snapshot as bytes, reads the store once (as the evaluator reads a posture), and writes to
 * the same number of topics the same number of records per snapshot, spread evenly over the snapshots, and to a
 * store of the same kind (RocksDB or the heap) with a changelog the same number of values per snapshot — every one a copy of a record the
 * evaluator wrote, so of the same size and as compressible. No decoding, no rule, no encoding.
 */
final class FanOutFloor {

    static final String STORE = "fan-out-store";
    private static final int SAMPLE = 2000;

    /**
     * What the evaluator wrote to one topic in the steady state.
     *
     * @param topic     the topic
     * @param changelog whether it is the store's changelog (the floor writes those through its own store)
     * @param records   records written
     * @param bytes     bytes of their keys and values
     * @param sample    a sample of them, key and value
     */
    record Output(String topic, boolean changelog, long records, long bytes, List<byte[][]> sample) {
        double perSnapshot(long snapshots) {
            return (double) records / snapshots;
        }

        double averageBytes() {
            return records == 0 ? 0 : (double) bytes / records;
        }
    }

    private FanOutFloor() {}

    /** The records of {@code topic} stamped {@code from} (epoch ms) or later, read_committed: count, bytes, a sample. */
    static Output measure(ContactAuditConfig config, String topic, boolean changelog, long from) {
        Map<String, Object> c = new HashMap<>(config.kafkaClientProperties());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            // read from the start and keep the records stamped from on: offsetsForTimes would stop at the first
            // transaction
            // marker, which carries the broker's clock, not the snapshots' capture times the evaluator stamps its
            // records with
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            consumer.seekToBeginning(partitions);
            long records = 0;
            long bytes = 0;
            List<byte[][]> sample = new ArrayList<>();
            Random random = new Random(42);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.timestamp() < from) {
                        continue;
                    }
                    records++;
                    bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                    byte[][] kv = {r.key(), r.value()};
                    if (sample.size() < SAMPLE) {
                        sample.add(kv);
                    } else {
                        long slot = (long) (random.nextDouble() * records);
                        if (slot < SAMPLE) {
                            sample.set((int) slot, kv); // a reservoir: every record equally likely to be in the sample
                        }
                    }
                }
            }
            return new Output(topic, changelog, records, bytes, sample);
        }
    }

    /** One line per topic: records per snapshot and their average size. */
    static String describe(List<Output> outputs, long snapshots) {
        List<String> parts = new ArrayList<>();
        for (Output o : outputs) {
            parts.add(String.format(
                    Locale.ROOT, "%s %.3f x %.0f B", shortName(o.topic()), o.perSnapshot(snapshots), o.averageBytes()));
        }
        return String.join(", ", parts);
    }

    private static String shortName(String topic) {
        int dot = topic.indexOf('.');
        return topic.endsWith("-changelog") ? "changelog" : dot < 0 ? topic : topic.substring(dot + 1);
    }

    /**
     * The floor topology over {@code snapshotsTopic}: for each output the evaluator wrote, a sink to {@code prefix}.fan-out-N
     * (created by the caller) or, for the changelog, the store (on the heap when the evaluator's is).
     */
    static Topology topology(
            String snapshotsTopic, String prefix, List<Output> outputs, long snapshots, boolean inMemory) {
        Topology topology = new Topology();
        topology.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), snapshotsTopic);
        topology.addProcessor("fan-out", () -> new FanOut(outputs, snapshots), "source");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        inMemory ? Stores.inMemoryKeyValueStore(STORE) : Stores.persistentKeyValueStore(STORE),
                        Serdes.ByteArray(),
                        Serdes.ByteArray()),
                "fan-out");
        for (int i = 0; i < outputs.size(); i++) {
            if (!outputs.get(i).changelog()) {
                topology.addSink(
                        "sink-" + i,
                        sinkTopic(prefix, i),
                        new ByteArraySerializer(),
                        new ByteArraySerializer(),
                        "fan-out");
            }
        }
        return topology;
    }

    static String sinkTopic(String prefix, int i) {
        return prefix + ".fan-out-" + i;
    }

    /** Writes, for the k-th snapshot, floor((k+1)r) - floor(kr) records of each output whose rate per snapshot is r. */
    private static final class FanOut implements Processor<byte[], byte[], byte[], byte[]> {
        private final List<Output> outputs;
        private final double[] rates;
        private final int[] next;
        private ProcessorContext<byte[], byte[]> context;
        private KeyValueStore<byte[], byte[]> store;
        private long k;

        FanOut(List<Output> outputs, long snapshots) {
            this.outputs = outputs;
            this.rates =
                    outputs.stream().mapToDouble(o -> o.perSnapshot(snapshots)).toArray();
            this.next = new int[outputs.size()];
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            store.get(record.key());
            for (int i = 0; i < outputs.size(); i++) {
                Output o = outputs.get(i);
                long n = (long) Math.floor((k + 1) * rates[i]) - (long) Math.floor(k * rates[i]);
                for (long j = 0; j < n && !o.sample().isEmpty(); j++) {
                    byte[][] kv = o.sample().get(next[i]++ % o.sample().size());
                    if (o.changelog()) {
                        store.put(record.key(), kv[1]);
                    } else {
                        context.forward(new Record<>(kv[0], kv[1], record.timestamp()), "sink-" + i);
                    }
                }
            }
            k++;
        }
    }
}
