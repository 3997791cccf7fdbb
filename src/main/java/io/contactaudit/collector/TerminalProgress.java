package io.contactaudit.collector;

import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a run's progress: a bar redrawn in place on a terminal, or a log line at each quarter otherwise
 * (nothing per subscription at INFO).
 */
public final class TerminalProgress implements Collector.Progress {

    private static final Logger LOG = LoggerFactory.getLogger(TerminalProgress.class);
    private static final int WIDTH = 30;

    private final PrintWriter terminal;
    private final AtomicInteger done = new AtomicInteger();
    private final Map<CollectionStatus, Integer> byStatus = new EnumMap<>(CollectionStatus.class);
    private volatile int total;

    /** @param terminal where to draw the bar, or null to log instead */
    public TerminalProgress(PrintWriter terminal) {
        this.terminal = terminal;
    }

    @Override
    public void started(int subscriptions) {
        total = subscriptions;
        done.set(0);
        synchronized (byStatus) {
            byStatus.clear();
        }
        LOG.info("collecting {} subscriptions", subscriptions);
    }

    @Override
    public void collected(SecurityContactSnapshot snapshot) {
        int n = done.incrementAndGet();
        String counts;
        synchronized (byStatus) {
            byStatus.merge(snapshot.getStatus(), 1, Integer::sum);
            counts = byStatus.toString();
        }
        if (terminal != null) {
            int filled = total == 0 ? WIDTH : (int) ((long) n * WIDTH / total);
            synchronized (terminal) {
                terminal.printf("\r[%s%s] %d/%d %s", "#".repeat(filled), " ".repeat(WIDTH - filled), n, total, counts);
                if (n == total) {
                    terminal.println();
                }
                terminal.flush();
            }
        } else if (total >= 8 && n % Math.max(1, total / 4) == 0 && n < total) {
            LOG.info("collected {}/{} subscriptions {}", n, total, counts);
        }
    }
}
