package io.contactaudit.remediate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One remediation attempt as written to {@code <prefix>.remediations.v1} (JSON, UTF-8, keyed by subscription id): the
 * audit trail of every write, and of every fix not attempted by the watch (rate-limited, contested).
 *
 * <pre>
 * {"remediationId": "remediation:…" | null, "subscriptionId": "…", "at": "2026-…Z", "by": "…", "mode": "apply|watch",
 *  "result": "VERIFIED|UNVERIFIED|FAILED|NOTHING_TO_DO|SKIPPED|RATE_LIMITED|CONTESTED|EXCEPTED", "reason": "…",
 *  "apiVersion": "…", "request": "PUT /subscriptions/…", "body": {…}, "before": "…", "after": "…",
 *  "httpStatus": 200, "armRequestId": "…", "verdictAfter": "PASS", "error": null, "trigger": "drift event id" | null}
 * </pre>
 */
public final class RemediationRecord {

    /** What came of one attempt. */
    public enum Result {
        /** Written, and read again it passes. */
        VERIFIED,
        /** Written, but read again it does not pass, or the check could not be published. */
        UNVERIFIED,
        /** The write failed (403, 409, 429 after retries, 5xx). */
        FAILED,
        /** It passed already. */
        NOTHING_TO_DO,
        /** Not touched: the plan says why (unreadable, no recipients). */
        SKIPPED,
        /** Not attempted: too many attempts on this subscription within the window. */
        RATE_LIMITED,
        /** Not attempted: it regressed again soon after a verified fix; someone or something keeps undoing it. */
        CONTESTED,
        /** Not touched: an active exception covers the subscription (the reason names it). */
        EXCEPTED
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RemediationRecord() {}

    /** The result an outcome stands for. */
    public static Result result(Remediator.Outcome outcome) {
        return switch (outcome.plan().action()) {
            case NONE -> Result.NOTHING_TO_DO;
            case SKIP -> Result.SKIPPED;
            case EXCEPTED -> Result.EXCEPTED;
            case FIX ->
                outcome.status() == null || outcome.status() / 100 != 2
                        ? Result.FAILED
                        : outcome.error() == null ? Result.VERIFIED : Result.UNVERIFIED;
        };
    }

    /** The record of {@code outcome}. */
    public static byte[] of(
            Remediator.Outcome outcome,
            Result result,
            String reason,
            String by,
            String mode,
            String trigger,
            Instant at) {
        ContactFix.Plan plan = outcome.plan();
        ObjectNode record = JSON.createObjectNode();
        record.put("remediationId", outcome.remediationId());
        record.put("subscriptionId", plan.subscriptionId());
        record.put("at", at.toString());
        record.put("by", by);
        record.put("mode", mode);
        record.put("result", result.name());
        record.put("reason", reason != null ? reason : plan.reason());
        record.put("apiVersion", plan.apiVersion());
        record.put("request", plan.path() == null ? null : "PUT " + plan.path());
        try {
            record.set("body", plan.body() == null ? null : JSON.readTree(plan.body()));
        } catch (Exception e) {
            record.put("body", plan.body());
        }
        record.put("before", plan.before());
        record.put("after", plan.after());
        record.put("httpStatus", outcome.status());
        record.put("armRequestId", outcome.requestId());
        record.put(
                "verdictAfter",
                outcome.verdict() == null ? null : outcome.verdict().name());
        record.put("error", outcome.error());
        record.put("trigger", trigger);
        return record.toString().getBytes(StandardCharsets.UTF_8);
    }
}
