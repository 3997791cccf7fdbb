package io.contactaudit.collector;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * Retries throttled (429), unavailable (500, 502, 503, 504) and failed (I/O, timeout) requests, waiting
 * what the service asks — {@code Retry-After} in seconds or as an HTTP date, {@code retry-after-ms},
 * {@code x-ms-retry-after-ms} — capped at {@code maxDelay}, else with exponential backoff. The SDK's
 * own RetryPolicy waits an uncapped Retry-After and fails on the HTTP-date form.
 */
public final class RetryAfterPolicy implements HttpPipelinePolicy {

    private final int maxRetries;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Clock clock;
    private final ThrottleStats stats;

    public RetryAfterPolicy(int maxRetries, Duration baseDelay, Duration maxDelay, Clock clock, ThrottleStats stats) {
        this.maxRetries = maxRetries;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.clock = clock;
        this.stats = stats;
    }

    static boolean retryable(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    static boolean transientFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    /** The delay before retry {@code attempt} (0-based): what the response asks, capped, else backoff. */
    Duration delay(HttpResponse response, int attempt) {
        Duration asked = response == null ? null : retryAfter(response);
        Duration delay = asked != null ? asked : baseDelay.multipliedBy(1L << Math.min(attempt, 10));
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    private Duration retryAfter(HttpResponse response) {
        for (HttpHeaderName header :
                new HttpHeaderName[] {HttpHeaderName.RETRY_AFTER_MS, HttpHeaderName.X_MS_RETRY_AFTER_MS}) {
            String value = response.getHeaderValue(header);
            if (value != null) {
                try {
                    return Duration.ofMillis(Math.max(0, Long.parseLong(value.trim())));
                } catch (NumberFormatException ignored) {
                    // fall through to the next form
                }
            }
        }
        return parseRetryAfter(response.getHeaderValue(HttpHeaderName.RETRY_AFTER), clock);
    }

    /** Retry-After as delta-seconds or an HTTP date (RFC 7231); null when absent or unreadable. */
    static Duration parseRetryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        for (int attempt = 0; ; attempt++) {
            HttpResponse response;
            try {
                response = next.clone().processSync();
            } catch (RuntimeException e) {
                if (attempt >= maxRetries || !transientFailure(e)) {
                    throw e;
                }
                sleep(delay(null, attempt));
                continue;
            }
            int status = response.getStatusCode();
            if (status == 429) {
                stats.throttled();
            }
            if (!retryable(status) || attempt >= maxRetries) {
                return response;
            }
            Duration wait = delay(response, attempt);
            response.close();
            sleep(wait);
        }
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        return attempt(next, 0);
    }

    private Mono<HttpResponse> attempt(HttpPipelineNextPolicy next, int attempt) {
        return next.clone()
                .process()
                .flatMap(response -> {
                    if (response.getStatusCode() == 429) {
                        stats.throttled();
                    }
                    if (!retryable(response.getStatusCode()) || attempt >= maxRetries) {
                        return Mono.just(response);
                    }
                    Duration wait = delay(response, attempt);
                    response.close();
                    stats.retried(wait);
                    return Mono.delay(wait).then(attempt(next, attempt + 1));
                })
                .onErrorResume(e -> attempt < maxRetries && transientFailure(e), e -> {
                    Duration wait = delay(null, attempt);
                    stats.retried(wait);
                    return Mono.delay(wait).then(attempt(next, attempt + 1));
                });
    }

    private void sleep(Duration wait) {
        stats.retried(wait);
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
