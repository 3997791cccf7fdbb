package io.contactaudit.remediate;

import io.contactaudit.Errors;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.SnapshotSink;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Plans and applies {@link ContactFix}es: reads a subscription with the reading identity, writes the plan with the
 * remediation identity, and reads it again at once to verify. The verifying snapshot goes to the snapshot topic
 * (when a sink is given) marked with the remediation's id, so the evaluator's REMEDIATED drift event names it.
 */
public final class Remediator {

    /**
     * What happened to one subscription.
     *
     * @param remediationId {@code remediation:<uuid>}, the trigger id of the verifying snapshot; null without a write
     * @param status        the HTTP status of the PUT; null without a write
     * @param requestId     Resource Manager's request id of the PUT
     * @param error         why the write failed or could not be verified; null when it did not
     * @param verdict       the verdict of the contacts read again after the write; null without a write
     */
    public record Outcome(
            ContactFix.Plan plan,
            String remediationId,
            Integer status,
            String requestId,
            String error,
            Verdict verdict) {}

    private final Collector reader;
    private final ArmClient writer;
    private final Profile profile;
    private final String severity;
    private final List<String> recipients;
    private final SnapshotSink verified;
    private final Function<String, ComplianceException> exceptions;

    /**
     * @param reader     reads the contacts (the collector's read-only identity)
     * @param writer     writes them (an identity with Microsoft.Security/securityContacts/write)
     * @param severity   minimal severity to set where the contact's does not cover High
     * @param recipients e-mail addresses for a contact that has none
     * @param verified   where the verifying snapshot goes; null: nowhere
     */
    public Remediator(
            Collector reader,
            ArmClient writer,
            Profile profile,
            String severity,
            List<String> recipients,
            SnapshotSink verified) {
        this(reader, writer, profile, severity, recipients, verified, sub -> null);
    }

    /**
     * As {@link #Remediator(Collector, ArmClient, Profile, String, List, SnapshotSink)}; {@code exceptions} gives the
     * active exception of a subscription (null: none), and a subscription that has one is never touched.
     */
    public Remediator(
            Collector reader,
            ArmClient writer,
            Profile profile,
            String severity,
            List<String> recipients,
            SnapshotSink verified,
            Function<String, ComplianceException> exceptions) {
        this.exceptions = exceptions;
        this.reader = reader;
        this.writer = writer;
        this.profile = profile;
        this.severity = severity;
        this.recipients = List.copyOf(recipients);
        this.verified = verified;
    }

    /** The plan for {@code subscriptionId}, from its contacts as they are now. */
    public ContactFix.Plan plan(String subscriptionId) {
        ComplianceException exception = exceptions.apply(subscriptionId);
        if (exception != null) {
            return new ContactFix.Plan(
                    subscriptionId.toLowerCase(Locale.ROOT),
                    ContactFix.Action.EXCEPTED,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "under active exception " + exception.getExceptionId() + " (" + exception.getCategory()
                            + ", approved by " + exception.getApprovedBy() + ", until " + exception.getExpiresAt()
                            + "): not touched; revoke it (exceptions revoke) to remediate");
        }
        return ContactFix.plan(reader.read(subscriptionId, "remediate-plan"), profile, severity, recipients);
    }

    /** Plans, writes what the plan says and verifies it. */
    public Outcome apply(String subscriptionId) {
        ContactFix.Plan plan = plan(subscriptionId);
        if (plan.action() != ContactFix.Action.FIX) {
            return new Outcome(plan, null, null, null, null, null);
        }
        String id = "remediation:" + UUID.randomUUID();
        ArmClient.Response response;
        try {
            response = writer.put(plan.path(), plan.body());
        } catch (RuntimeException e) {
            return new Outcome(plan, id, null, null, "the write failed: " + Errors.messages(e), null);
        }
        if (response.status() == 403) {
            return new Outcome(
                    plan,
                    id,
                    403,
                    response.requestId(),
                    "the remediation identity may not write security contacts of " + plan.subscriptionId()
                            + ": it needs Microsoft.Security/securityContacts/write (the Security Admin role); "
                            + response.error(),
                    null);
        }
        if (response.status() / 100 != 2) {
            return new Outcome(plan, id, response.status(), response.requestId(), response.error(), null);
        }
        SecurityContactSnapshot after = reader.read(subscriptionId, id);
        after.setTriggerEventId(id);
        after.setTriggerEventTime(Instant.now());
        Verdict verdict = HighSeverityAlertEmailRule.evaluate(after, profile).verdict();
        String error = verdict == Verdict.PASS
                ? null
                : "written, but read again the contacts are " + verdict + " (another writer, or a delay)";
        if (verified != null) {
            try {
                verified.publish(after).get();
            } catch (ExecutionException e) {
                error = "written and verified (" + verdict + "), but the verifying snapshot was not published: "
                        + Errors.messages(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = "interrupted while publishing the verifying snapshot";
            }
        }
        return new Outcome(plan, id, response.status(), response.requestId(), error, verdict);
    }
}
