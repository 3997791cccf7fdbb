package io.contactaudit.replay;

import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Instant;
import java.util.List;

/** Snapshots of one enabled contact with two recipients, for the replay tests. */
public final class ContactSnapshots {

    private ContactSnapshots() {}

    /** A 2023-generation contact e-mailing alerts of minimal severity {@code severity} to two addresses. */
    public static SecurityContactSnapshot withContact(String sub, String severity, Instant at) {
        String body = "{\"value\":[{\"id\":\"/subscriptions/" + sub
                + "/providers/Microsoft.Security/securityContacts/default\","
                + "\"name\":\"default\",\"properties\":{\"isEnabled\":true,\"emails\":\"secops@contoso.com;jane@contoso.com\","
                + "\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"" + severity + "\"}]}}]}";
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId("tenant")
                .setRunId("run-" + at.toEpochMilli())
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setHttpStatus(200)
                .setRawBodies(List.of(body))
                .setContacts(SecurityContactsNormalizer.parse(body).normalized())
                .build();
    }
}
