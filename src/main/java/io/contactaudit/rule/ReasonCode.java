package io.contactaudit.rule;

/**
 * Machine-readable codes carried on findings as reasons (why a verdict) and warnings (what does not
 * change the verdict). Codes are stable: SIEM rules may match on them.
 */
public enum ReasonCode {
    // PASS
    /** A contact e-mails alerts of an accepted minimal severity. */
    ALERT_EMAILS_ENABLED,

    // FAIL (per contact, or for the list)
    /** The list holds no contact at all. */
    NO_CONTACTS,
    /** A contact is explicitly disabled ({@code isEnabled: false}). */
    CONTACT_DISABLED,
    /** A 2023-generation contact whose {@code isEnabled} is not true (absent or not a boolean). */
    NOT_ENABLED,
    /** A 2023-generation contact with no notification source of type Alert. */
    NO_ALERT_SOURCE,
    /** Alert notifications are switched off ({@code alertNotifications} Off). */
    ALERT_NOTIFICATIONS_OFF,
    /** The minimal severity is missing or not accepted by the profile. */
    SEVERITY_NOT_ACCEPTED,
    /** A contact with none of the alert-notification settings of any API generation. */
    NO_ALERT_SETTING,

    // ERROR
    /** The body is not valid JSON (or not UTF-8). */
    UNPARSEABLE_BODY,
    /** The body exceeds a bound: its size, its number of contacts, or the parser's limits (nesting, strings, numbers, tokens). */
    BODY_TOO_LARGE,
    /** The body is an ARM error response, not a list of contacts. */
    ARM_ERROR,
    /** The body is JSON but neither an array nor an object with a {@code value} array. */
    UNEXPECTED_SHAPE,
    /** A contact, or its {@code properties}, is not a JSON object. */
    CONTACT_UNEVALUABLE,
    /** The list has more pages ({@code nextLink}) that were not read. */
    INCOMPLETE_LIST,
    /** The input could not be read at all (missing or unreadable file). */
    INPUT_UNREADABLE,
    /** The collector was refused access (HTTP 403). */
    COLLECTION_FORBIDDEN,
    /** The subscription or the resource provider was not found (HTTP 404). */
    COLLECTION_NOT_FOUND,
    /** The collector was throttled out (HTTP 429 after retries). */
    COLLECTION_THROTTLED,
    /** Any other collection failure (5xx after retries, timeout, network). */
    COLLECTION_ERROR,

    // lifecycle (findings closed or flagged by the topology)
    /** The subscription is no longer in the estate; its finding is closed. */
    SUBSCRIPTION_REMOVED,
    /** No snapshot arrived within the staleness window. */
    SNAPSHOT_STALE,

    // warnings
    /** A contact that is not disabled e-mails nobody: no address and no role notifications (CIS 2.13/2.15). */
    NO_RECIPIENTS,
    /** A notification source of a type the rule does not know (e.g. the typo AttachPath); ignored. */
    UNKNOWN_SOURCE_TYPE,
    /** PASS on a list with unread pages: one passing contact is enough. */
    PARTIAL_LIST
}
