package io.contactaudit.app;

import io.contactaudit.TenantLabel;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.observe.Endpoints;
import io.contactaudit.observe.ObservabilityServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lifecycle of a process: start, SIGTERM (or Ctrl-C), await, close, exit code — for the evaluator, the
 * collector loop, or both in one process. The HTTP endpoints live exactly as long as the work they report on.
 */
public final class Lifecycle {

    /** How long SIGTERM waits for the current collection run to publish what it collected. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    private Lifecycle() {}

    /**
     * One collection run (with the HTTP endpoints while it lasts); its summary line on {@code out}, a line on
     * {@code err} for each tenant that could not be listed.
     *
     * @return {@link ExitCodes#OK} when every snapshot was published and every tenant listed, else
     *     {@link ExitCodes#FAILURE} (a tenant that could not be listed is a failed run, its subscriptions ERROR)
     */
    public static int once(ContactAuditConfig config, CollectorApp collector, PrintWriter out, PrintWriter err)
            throws InterruptedException {
        try (ObservabilityServer http = endpoints(config, null, collector)) {
            RunSummary summary = collector.once();
            out.println(summary.line());
            out.flush();
            for (RunSummary.TenantRun t : summary.unlistedTenants()) {
                err.println("contact-audit: error: tenant "
                        + TenantLabel.of(t.tenantId(), t.name())
                        + " could not be listed: " + t.listingError());
            }
            err.flush();
            return summary.publishedAll() && summary.unlistedTenants().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    /**
     * Runs the evaluator, the collector loop (every {@code collection.interval}), or both, until SIGTERM or a
     * failure of the evaluator. On SIGTERM the collector finishes its current run and publishes it, and the
     * evaluator commits and closes.
     *
     * @param evaluator the evaluator, not started yet, or null
     * @param collector the collector, or null
     * @param banner    printed once everything runs
     * @return {@link ExitCodes#FAILURE} when the evaluator failed, or the collector published nothing in
     *         {@code collector.max.failed.cycles} runs in a row (the cause on {@code err}), or, without an evaluator,
     *         when the last collection run failed to publish; else {@link ExitCodes#OK}
     */
    public static int untilStopped(
            ContactAuditConfig config,
            EvaluatorApp evaluator,
            CollectorApp collector,
            PrintWriter out,
            PrintWriter err,
            String banner)
            throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    if (collector != null) {
                        collector.loop().stop();
                        if (collector.trigger() != null) {
                            collector.trigger().stop();
                        }
                    }
                    if (evaluator != null) {
                        evaluator.close();
                    }
                    try {
                        finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "contact-audit-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicBoolean published = new AtomicBoolean(true);
        try {
            if (evaluator != null) {
                evaluator.start();
            }
            try (ObservabilityServer http = endpoints(config, evaluator, collector)) {
                Thread collecting = null;
                if (collector != null) {
                    collecting = new Thread(
                            () -> published.set(collector
                                    .loop()
                                    .every(config.collectionInterval(), config.maxFailedCycles(), summary -> {
                                        out.println(summary.line());
                                        out.flush();
                                    })),
                            "contact-audit-collector");
                    collecting.start();
                }
                Thread triggering = null;
                if (collector != null && collector.trigger() != null) {
                    triggering = new Thread(collector.trigger(), "contact-audit-events");
                    triggering.setUncaughtExceptionHandler((t, e) -> {
                        err.println(
                                "contact-audit: error: change-triggered collection stopped: " + ExitCodes.describe(e));
                        err.flush();
                    });
                    triggering.start();
                }
                out.println(banner);
                out.flush();
                if (evaluator != null) {
                    while (!evaluator.runner().awaitStopped(Duration.ofSeconds(1))) {
                        // until closed by SIGTERM, stopped by a failure, or the collector gives up
                        if (collector != null && collectorFailed(collector)) {
                            evaluator.close();
                        }
                    }
                } else if (collecting != null) {
                    while (collecting.isAlive()) {
                        collecting.join(1000);
                        if (collectorFailed(collector)) {
                            collector.loop().stop();
                        }
                    }
                }
                if (collecting != null) {
                    if (evaluator != null) {
                        collector.loop().stop();
                    }
                    collecting.join(GRACE.toMillis());
                }
                if (triggering != null) {
                    collector.trigger().stop();
                    triggering.join(GRACE.toMillis());
                }
            }
            if (collector != null && collector.loop().gaveUp() != null) {
                err.println("contact-audit: error: " + collector.loop().gaveUp());
                return ExitCodes.FAILURE;
            }
            if (collector != null
                    && collector.trigger() != null
                    && collector.trigger().failure() != null) {
                return ExitCodes.FAILURE; // said by the trigger thread's handler
            }
            if (evaluator != null && evaluator.runner().failure() != null) {
                err.println("contact-audit: "
                        + ExitCodes.describe(evaluator.runner().failure()));
                return ExitCodes.FAILURE;
            }
            return evaluator != null || published.get() ? ExitCodes.OK : ExitCodes.FAILURE;
        } finally {
            if (collector != null) {
                collector.flush();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM is stopping
            }
        }
    }

    /** The poll gave up, or change-triggered collection stopped on its own. */
    private static boolean collectorFailed(CollectorApp collector) {
        return collector.loop().gaveUp() != null
                || (collector.trigger() != null && collector.trigger().failure() != null);
    }

    /** The health and metrics endpoints when {@code http.port} is set; null otherwise. */
    private static ObservabilityServer endpoints(
            ContactAuditConfig config, EvaluatorApp evaluator, CollectorApp collector) {
        int port = config.httpPort();
        if (port < 0) {
            return null;
        }
        try {
            return Endpoints.start(
                    config.httpHost(),
                    port,
                    evaluator == null ? null : evaluator.runner(),
                    collector == null ? null : collector.loop(),
                    collector == null ? null : collector.sources(),
                    collector == null || collector.trigger() == null
                            ? null
                            : collector.trigger().stats(),
                    evaluator == null ? null : evaluator::exceptionCounts,
                    evaluator == null ? null : evaluator.postureView(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the HTTP endpoints: " + e.getMessage(), e);
        }
    }
}
