package io.contactaudit.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A send as a future that completes when the broker acknowledged the record, or fails with why it did not. */
public final class Delivery {

    private Delivery() {}

    /** Sends {@code record}; a failure to even hand it to the producer fails the future too. */
    public static <K, V> CompletableFuture<Void> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }
}
