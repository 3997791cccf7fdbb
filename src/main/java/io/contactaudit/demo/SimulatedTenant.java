package io.contactaudit.demo;

import io.contactaudit.config.TenantsFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's estate: 40 subscriptions of Contoso's tenant — five of them a customer's (Fabrikam), which Contoso also
 * sees through Azure Lighthouse — over the three API generations, compliant and not, one forbidden,
 * one throttled out, one throttled once per cycle, one with a broken body — whose settings change between
 * collection cycles so that every kind of drift appears:
 *
 * <ul>
 *   <li>cycle 2: prod-payments lowers its severity High→Low (CONFIG_CHANGED); prod-identity disables its
 *       contact (REGRESSED; made through the API before the poll, seen through its change event);
 *       shared-logging starts failing (EVALUATION_ERROR);</li>
 *   <li>cycle 3: dev-sandbox is fixed (REMEDIATED, also through the API and its event); shared-logging answers
 *       again (EVALUATION_RECOVERED);
 *       marketing-web empties its recipients (CONFIG_CHANGED, NO_RECIPIENTS warning);</li>
 *   <li>cycle 4: legacy-crm leaves the tenant (SUBSCRIPTION_REMOVED);</li>
 *   <li>edge-cdn is read by a second collector that stops after cycle 2 (STALE once the window passes) and
 *       comes back in the last cycle (STALE_RESOLVED).</li>
 * </ul>
 */
public final class SimulatedTenant {

    public static final String TENANT_ID = "7d1c0f3e-5a2b-4c8d-9e6f-0a1b2c3d4e5f";
    /** A customer tenant whose subscriptions are also delegated to {@link #TENANT_ID} (Azure Lighthouse). */
    public static final String CUSTOMER_ID = "3e8a1b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    /** The customer's subscriptions. */
    static final List<String> CUSTOMER = List.of("erp-core", "warehouse", "iot-hub", "video", "chat");
    /** The variables the demo's tenants file names for each tenant's secret, with the local endpoint's secret. */
    public static final Map<String, String> SECRETS = Map.of("CONTOSO_SECRET", "demo", "FABRIKAM_SECRET", "demo");
    /**
     * By cycle: the subscription whose change of that cycle the demo makes through Resource Manager's API just after
     * the poll before, so that its change event, not the poll, shows it.
     */
    public static final Map<Integer, String> CHANGED_BY_EVENT = Map.of(2, "prod-identity", 3, "dev-sandbox");
    /** Read by the second collector, which stops for a while: the stale one. */
    public static final String STALE_NAME = "edge-cdn";

    private static final String V2017 = ContactRenderer.V2017;
    private static final String V2020 = ContactRenderer.V2020;
    private static final String V2023 = ContactRenderer.V2023;
    private static final String[] FILLERS = {
        "data-lake",
        "web-frontend",
        "api-gateway",
        "mobile-backend",
        "search",
        "payments-batch",
        "erp-core",
        "warehouse",
        "iot-hub",
        "video",
        "chat",
        "notifications",
        "billing-v2",
        "reporting",
        "directory",
        "backup",
        "dr-site",
        "devops",
        "monitoring",
        "secrets",
        "build-farm",
        "edge-dns",
        "crm-sync",
        "mail-relay",
        "partner-portal"
    };
    private static final String[] SEVERITIES = {"High", "Medium", "Low"};

    private SimulatedTenant() {}

    /** Subscription id of the demo subscription called {@code name}. */
    public static String id(String name) {
        return String.format(
                Locale.ROOT,
                "%08x-%04x-4%03x-8%03x-%012x",
                Math.abs(name.hashCode()),
                name.length(),
                name.length() * 7 % 4096,
                name.chars().sum() % 4096,
                (long) Math.abs(name.hashCode()) * 31L);
    }

    /** The tenant as served in {@code cycle} (1-based). */
    public static Scenario cycle(int cycle) {
        List<Scenario.Subscription> subs = new ArrayList<>();
        subs.add(sub("prod-payments", V2023, contact(cycle >= 2 ? "Low" : "High")));
        subs.add(sub("prod-identity", V2023, cycle >= 2 ? contact("High").withEnabled(false) : contact("High")));
        subs.add(sub("dev-sandbox", V2020, contact(cycle >= 3 ? "Medium" : "Off")));
        Scenario.Subscription logging = sub("shared-logging", V2023, contact("Medium"));
        subs.add(
                cycle == 2
                        ? logging.withFaults(List.of(new Scenario.Fault(
                                503, "0", -1, "ServiceUnavailable", "The service is temporarily unavailable")))
                        : logging);
        if (cycle < 4) {
            subs.add(sub("legacy-crm", V2017, contact("High")));
        }
        subs.add(sub(STALE_NAME, V2023, contact("High")));
        subs.add(sub("marketing-web", V2023, cycle >= 3 ? contact("High").withEmails(List.of()) : contact("High")));
        subs.add(
                sub("finance-archive", V2023, contact("High"))
                        .withFaults(
                                List.of(
                                        new Scenario.Fault(
                                                403,
                                                null,
                                                -1,
                                                "AuthorizationFailed",
                                                "The client does not have authorization to perform action 'Microsoft.Security/securityContacts/read'"))));
        subs.add(sub("analytics-burst", V2020, contact("High"))
                .withFaults(List.of(new Scenario.Fault(429, "0", -1, "TooManyRequests", "Rate limit exceeded"))));
        subs.add(sub("hr-portal", V2023, contact("Medium"))
                .withFaults(List.of(new Scenario.Fault(429, "1", 1, "TooManyRequests", "Rate limit exceeded"))));
        subs.add(sub("ml-training", V2023, contact("High"))
                .withBody("{\"value\": [{\"name\": \"default\", \"properties\": "));
        subs.add(sub("test-lab", V2017, contact("Off")));
        subs.add(sub("qa-env", V2023, contact("Critical")));
        subs.add(sub("poc-2019", V2020));
        subs.add(sub("old-billing", V2017, contact("Off")));
        String[] generations = {V2017, V2020, V2023};
        for (int i = 0; subs.size() < 40 - (cycle < 4 ? 0 : 1); i++) {
            Scenario.Subscription filler = sub(FILLERS[i], generations[i % 3], contact(SEVERITIES[i % 3]));
            subs.add(CUSTOMER.contains(FILLERS[i]) ? filler.inTenant(CUSTOMER_ID, List.of(TENANT_ID)) : filler);
        }
        return new Scenario(TENANT_ID, 25, 0, subs);
    }

    /**
     * The demo collector's tenants: Contoso, and Fabrikam, whose subscriptions Contoso also sees through Lighthouse
     * (each is read once, through Fabrikam's own identity); both identities get their tokens from the local endpoint.
     */
    public static TenantsFile tenants() {
        return new TenantsFile(List.of(
                TenantsFile.Entry.clientSecret(TENANT_ID, "Contoso", "contact-audit-demo", "CONTOSO_SECRET"),
                TenantsFile.Entry.clientSecret(CUSTOMER_ID, "Fabrikam", "contact-audit-demo", "FABRIKAM_SECRET")));
    }

    private static Scenario.Subscription sub(String name, String generation, Scenario.Contact... contacts) {
        return new Scenario.Subscription(
                id(name), name, "Enabled", generation, List.of(contacts), null, null, null, null);
    }

    private static Scenario.Contact contact(String alerts) {
        return new Scenario.Contact(null, true, List.of("secops@contoso.com"), alerts, List.of("Owner"), null);
    }
}
