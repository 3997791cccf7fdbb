package io.contactaudit.rule;

import io.contactaudit.schema.NormalizedContact;
import java.util.List;

/**
 * One security contact as read by {@link SecurityContactsNormalizer}: the normalised values the rule
 * decides on, where each was found, and the Avro form carried on snapshots.
 *
 * @param label         name of the contact, or {@code #N} (its position) when unnamed
 * @param path          JSON path of the contact in the body
 * @param unevaluable   why the contact cannot be evaluated (not an object, no properties object); null if it can
 * @param isEnabled     {@code properties.isEnabled}: TRUE, FALSE, or null when absent or not a boolean
 * @param isEnabledSeen where and what {@code isEnabled} was
 * @param latestShape   whether the 2023 generation's fields ({@code isEnabled} or {@code notificationsSources}) are present
 * @param sources       {@code properties.notificationsSources}, in order
 * @param sourcesSeen   where and what {@code notificationsSources} was
 * @param alertSetting  the shape of {@code properties.alertNotifications}
 * @param alertState    alert notification state (On/Off canonical; other values as received)
 * @param alertStateSeen where and what the state was
 * @param alertSeverity {@code alertNotifications.minimalSeverity} (2020 generation)
 * @param alertSeveritySeen where and what the severity was
 * @param hasRecipients whether anybody receives the mails: an e-mail address, role notifications On with roles, or alertsToAdmins On
 * @param normalized    the Avro form of the contact
 */
public record Contact(
        String label,
        String path,
        String unevaluable,
        Boolean isEnabled,
        Seen isEnabledSeen,
        boolean latestShape,
        List<Source> sources,
        Seen sourcesSeen,
        AlertSetting alertSetting,
        String alertState,
        Seen alertStateSeen,
        String alertSeverity,
        Seen alertSeveritySeen,
        boolean hasRecipients,
        NormalizedContact normalized) {

    /** The shape of {@code properties.alertNotifications}. */
    public enum AlertSetting {
        /** Absent or of no known shape. */
        ABSENT,
        /** A string {@code On}/{@code Off} (2017-08-01-preview). */
        STRING,
        /** An object {@code {state, minimalSeverity}} (2020-01-01-preview). */
        OBJECT
    }

    /**
     * One entry of {@code notificationsSources}.
     *
     * @param path            JSON path of the entry
     * @param type            sourceType, canonical when known (Alert, AttackPath)
     * @param minimalSeverity minimalSeverity, canonical when known
     * @param severitySeen    where and what minimalSeverity was
     */
    public record Source(String path, String type, String minimalSeverity, Seen severitySeen) {

        /** Whether this source is about alerts ({@code sourceType ~ "Alert"}). */
        public boolean isAlert() {
            return SecurityContactsNormalizer.same(SecurityContactsNormalizer.ALERT, type);
        }
    }
}
