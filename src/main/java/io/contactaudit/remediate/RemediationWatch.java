package io.contactaudit.remediate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code remediate --watch}: consumes the drift topic and fixes each REGRESSED subscription on the allow-list, safely:
 * at most {@code maxAttempts} attempts per subscription within {@code window} (then RATE_LIMITED), and a subscription
 * that regresses again within {@code contestedWithin} of a verified fix is left alone (CONTESTED: a person or a policy
 * keeps undoing it; fighting it helps nobody) until that time has passed. Every attempt, and every attempt not made,
 * is recorded. Offsets are committed after each batch is handled: a restart may handle a drift event again, and a fix
 * already made is then NOTHING_TO_DO.
 */
public final class RemediationWatch implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RemediationWatch.class);

    /**
     * @param allowed         which subscriptions may be fixed automatically
     * @param maxAttempts     attempts per subscription within {@code window}
     * @param contestedWithin a regression this soon after a verified fix is contested
     */
    public record Settings(Predicate<String> allowed, int maxAttempts, Duration window, Duration contestedWithin) {}

    /** Where the records go. */
    public interface Audit {
        void record(String subscriptionId, byte[] record);
    }

    private final Consumer<String, byte[]> consumer;
    private final TopicSpec<String, DriftEvent> drift;
    private final Remediator remediator;
    private final Audit audit;
    private final Settings settings;
    private final String by;
    private final Clock clock;
    private final Map<String, Deque<Instant>> attempts = new HashMap<>();
    private final Map<String, Instant> fixed = new HashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private volatile boolean stopped;

    public RemediationWatch(
            Consumer<String, byte[]> consumer,
            TopicSpec<String, DriftEvent> drift,
            Remediator remediator,
            Audit audit,
            Settings settings,
            String by,
            Clock clock) {
        this.consumer = consumer;
        this.drift = drift;
        this.remediator = remediator;
        this.audit = audit;
        this.settings = settings;
        this.by = by;
        this.clock = clock;
    }

    @Override
    public void run() {
        LOG.info(
                "fixing REGRESSED subscriptions from {}: at most {} attempts per {} each, contested within {}",
                drift.name(),
                settings.maxAttempts(),
                settings.window(),
                settings.contestedWithin());
        try {
            consumer.subscribe(List.of(drift.name()));
            while (!stopped) {
                boolean any = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    any = true;
                    if (record.value() == null) {
                        continue;
                    }
                    DriftEvent event;
                    try {
                        event = drift.value().deserializer().deserialize(record.topic(), record.value());
                    } catch (RuntimeException e) {
                        LOG.warn(
                                "drift event at {}-{} offset {} cannot be read, passed over: {}",
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                e.toString());
                        continue;
                    }
                    if (event.getKind() == DriftKind.REGRESSED
                            && settings.allowed().test(event.getSubscriptionId())) {
                        handle(event);
                    }
                }
                if (any) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            if (!stopped) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(DriftEvent event) {
        String sub = event.getSubscriptionId();
        Instant now = clock.instant();
        Instant lastFix = fixed.get(sub);
        if (lastFix != null && now.isBefore(lastFix.plus(settings.contestedWithin()))) {
            LOG.warn(
                    "{} regressed again {} s after its verified fix: remediation is contested; not fixing it until {}",
                    sub,
                    Duration.between(lastFix, now).toSeconds(),
                    lastFix.plus(settings.contestedWithin()));
            record(
                    notAttempted(sub),
                    RemediationRecord.Result.CONTESTED,
                    "regressed again " + Duration.between(lastFix, now).toSeconds() + " s after a verified fix; left"
                            + " alone until " + lastFix.plus(settings.contestedWithin()),
                    event,
                    now);
            return;
        }
        Deque<Instant> recent = attempts.computeIfAbsent(sub, k -> new ArrayDeque<>());
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(settings.window()))) {
            recent.pollFirst();
        }
        if (recent.size() >= settings.maxAttempts()) {
            record(
                    notAttempted(sub),
                    RemediationRecord.Result.RATE_LIMITED,
                    recent.size() + " attempts within " + settings.window(),
                    event,
                    now);
            return;
        }
        Remediator.Outcome outcome = remediator.apply(sub);
        RemediationRecord.Result result = RemediationRecord.result(outcome);
        if (attempted(result)) {
            recent.addLast(now);
        }
        if (result == RemediationRecord.Result.VERIFIED) {
            fixed.put(sub, clock.instant());
        }
        LOG.info(
                "{} REGRESSED ({}): {}{}",
                sub,
                event.getEventId(),
                result,
                outcome.error() == null ? "" : ": " + outcome.error());
        record(outcome, result, null, event, now);
    }

    private static Remediator.Outcome notAttempted(String sub) {
        return new Remediator.Outcome(
                new ContactFix.Plan(sub, ContactFix.Action.SKIP, null, null, null, null, null, null),
                null,
                null,
                null,
                null,
                null);
    }

    private void record(
            Remediator.Outcome outcome, RemediationRecord.Result result, String reason, DriftEvent event, Instant at) {
        audit.record(
                outcome.plan().subscriptionId(),
                RemediationRecord.of(outcome, result, reason, by, "watch", event.getEventId(), at));
    }

    /**
     * Takes into account an attempt recorded before this watch started ({@code record}, a record of the remediations
     * topic): an earlier watch's attempts count against the window, and its verified fixes against
     * {@code contestedWithin}, so that a restart does not reset the loop protection. Other records are ignored.
     *
     * @return whether the record counted
     */
    public boolean remember(byte[] record) {
        JsonNode node;
        try {
            node = JSON.readTree(record);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        if (node == null || !"watch".equals(node.path("mode").asText()) || !node.hasNonNull("subscriptionId")) {
            return false;
        }
        RemediationRecord.Result result;
        Instant at;
        try {
            result = RemediationRecord.Result.valueOf(node.path("result").asText());
            at = Instant.parse(node.path("at").asText());
        } catch (RuntimeException e) {
            return false;
        }
        if (!attempted(result)) {
            return false;
        }
        String sub = node.get("subscriptionId").asText();
        Deque<Instant> recent = attempts.computeIfAbsent(sub, k -> new ArrayDeque<>());
        recent.addLast(at);
        if (result == RemediationRecord.Result.VERIFIED) {
            fixed.merge(sub, at, (a, b) -> a.isAfter(b) ? a : b);
        }
        return true;
    }

    /** Whether a result is of an attempt (one that counts against the window). */
    private static boolean attempted(RemediationRecord.Result result) {
        return switch (result) {
            case VERIFIED, UNVERIFIED, FAILED, NOTHING_TO_DO, SKIPPED -> true;
            case RATE_LIMITED, CONTESTED, EXCEPTED -> false;
        };
    }

    /** Ends {@link #run()} after the current batch. */
    public void stop() {
        stopped = true;
        consumer.wakeup();
    }
}
