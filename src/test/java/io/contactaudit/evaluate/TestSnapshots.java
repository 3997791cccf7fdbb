package io.contactaudit.evaluate;

import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Instant;
import java.util.List;

/** Snapshots for topology tests: one 2023-generation contact named default. */
final class TestSnapshots {

    static final String SUB = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    static String body(boolean enabled, String severity, String emails) {
        return """
            {"value":[{"id":"/subscriptions/%s/providers/Microsoft.Security/securityContacts/default","name":"default",
              "properties":{"isEnabled":%s,"emails":"%s","notificationsByRole":{"state":"Off","roles":[]},
                "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"%s"}]}}]}
            """.formatted(SUB, enabled, emails, severity);
    }

    static SecurityContactSnapshot ok(String body, Instant at) {
        return ok(SUB, body, at);
    }

    static SecurityContactSnapshot ok(String sub, String body, Instant at) {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId("tenant-1")
                .setRunId("run-" + at.toEpochMilli())
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setHttpStatus(200)
                .setRawBodies(List.of(body))
                .setContacts(SecurityContactsNormalizer.parse(body).normalized())
                .build();
    }

    static SecurityContactSnapshot passing(Instant at) {
        return ok(body(true, "Medium", "sec@contoso.com"), at);
    }

    static SecurityContactSnapshot failing(Instant at) {
        return ok(body(true, "Critical", "sec@contoso.com"), at);
    }

    static SecurityContactSnapshot forbidden(Instant at) {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(SUB)
                .setTenantId("tenant-1")
                .setRunId("run-" + at.toEpochMilli())
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.FORBIDDEN)
                .setHttpStatus(403)
                .setErrorMessage("AuthorizationFailed: the client has no Security Reader role")
                .setArmRequestId("req-403")
                .build();
    }

    private TestSnapshots() {}
}
