package io.contactaudit.demo;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FakeArm} serves: a tenant's subscriptions, each one's security contacts rendered in one of
 * the three API generations, and faults to inject. Read from YAML or JSON:
 *
 * <pre>
 * tenantId: 11111111-2222-3333-4444-555555555555
 * subscriptionPageSize: 100        # subscriptions per discovery page
 * latencyMs: 0                     # added to every response
 * subscriptions:
 *   - id: 0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a
 *     name: prod-payments
 *     state: Enabled                # Enabled, Disabled, Warned, PastDue, Deleted
 *     generation: 2023-12-01-preview  # or 2020-01-01-preview (a bare array), 2017-08-01-preview
 *     contacts:
 *       - name: default
 *         enabled: true
 *         emails: [secops@contoso.com]
 *         alerts: High              # minimal severity, or Off; absent: no alert setting
 *         roles: [Owner]
 *     contactsPageSize: 1           # serve the contacts over several pages (nextLink)
 *     body: '{"value": ['           # served verbatim instead of the contacts (a broken body)
 *     latencyMs: 0                  # added to this subscription's responses
 *     faults:                       # answered in order, one request each (times: N, or -1 for ever)
 *       - {status: 429, retryAfter: "1"}
 *       - {status: 403, times: -1, code: AuthorizationFailed}
 *     tenantId: 99999999-...        # the tenant it belongs to, when not the scenario's
 *     managedBy: [aaaaaaaa-...]     # tenants that see it through Azure Lighthouse (delegated)
 * </pre>
 *
 * <p>A token the endpoint issued for a tenant ({@code POST /<tenant>/oauth2/v2.0/token}) sees the subscriptions of
 * that tenant and those delegated to it; any other bearer token sees every subscription (one tenant, as before).
 * {@code refusedTenants: [...]} lists tenants the token endpoint refuses (401 invalid_client, AADSTS7000215).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Scenario(
        String tenantId,
        Integer subscriptionPageSize,
        Integer latencyMs,
        List<Subscription> subscriptions,
        List<String> refusedTenants) {

    @JsonCreator
    public Scenario {
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
        refusedTenants = refusedTenants == null ? List.of() : List.copyOf(refusedTenants);
    }

    /** A scenario whose token endpoint refuses no tenant. */
    public Scenario(
            String tenantId, Integer subscriptionPageSize, Integer latencyMs, List<Subscription> subscriptions) {
        this(tenantId, subscriptionPageSize, latencyMs, subscriptions, null);
    }

    /** One subscription. */
    public record Subscription(
            String id,
            String name,
            String state,
            String generation,
            List<Contact> contacts,
            Integer contactsPageSize,
            String body,
            Integer latencyMs,
            List<Fault> faults,
            String tenantId,
            List<String> managedBy) {
        @JsonCreator
        public Subscription {
            contacts = contacts == null ? List.of() : List.copyOf(contacts);
            faults = faults == null ? List.of() : List.copyOf(faults);
            managedBy = managedBy == null ? List.of() : List.copyOf(managedBy);
        }

        /** A subscription of the scenario's tenant, delegated to none. */
        public Subscription(
                String id,
                String name,
                String state,
                String generation,
                List<Contact> contacts,
                Integer contactsPageSize,
                String body,
                Integer latencyMs,
                List<Fault> faults) {
            this(id, name, state, generation, contacts, contactsPageSize, body, latencyMs, faults, null, null);
        }

        public Subscription withContacts(List<Contact> replaced) {
            return new Subscription(
                    id,
                    name,
                    state,
                    generation,
                    replaced,
                    contactsPageSize,
                    body,
                    latencyMs,
                    faults,
                    tenantId,
                    managedBy);
        }

        public Subscription withFaults(List<Fault> replaced) {
            return new Subscription(
                    id,
                    name,
                    state,
                    generation,
                    contacts,
                    contactsPageSize,
                    body,
                    latencyMs,
                    replaced,
                    tenantId,
                    managedBy);
        }

        public Subscription withBody(String replaced) {
            return new Subscription(
                    id,
                    name,
                    state,
                    generation,
                    contacts,
                    contactsPageSize,
                    replaced,
                    latencyMs,
                    faults,
                    tenantId,
                    managedBy);
        }

        /** The same subscription in tenant {@code home}, seen through Lighthouse by {@code managing}. */
        public Subscription inTenant(String home, List<String> managing) {
            return new Subscription(
                    id, name, state, generation, contacts, contactsPageSize, body, latencyMs, faults, home, managing);
        }

        /** The tenant it belongs to: its own, else the scenario's. */
        public String tenantOr(String scenarioTenant) {
            return tenantId == null ? scenarioTenant : tenantId;
        }
    }

    /** One security contact, independent of the API generation it is served in. */
    public record Contact(
            String name, Boolean enabled, List<String> emails, String alerts, List<String> roles, String phone) {
        public Contact {
            emails = emails == null ? List.of() : List.copyOf(emails);
            roles = roles == null ? List.of() : List.copyOf(roles);
        }

        public Contact withName(String replaced) {
            return new Contact(replaced, enabled, emails, alerts, roles, phone);
        }

        public Contact withAlerts(String replaced) {
            return new Contact(name, enabled, emails, replaced, roles, phone);
        }

        public Contact withEnabled(boolean replaced) {
            return new Contact(name, replaced, emails, alerts, roles, phone);
        }

        public Contact withEmails(List<String> replaced) {
            return new Contact(name, enabled, replaced, alerts, roles, phone);
        }
    }

    /** An answer to inject instead of the contacts. */
    public record Fault(int status, String retryAfter, Integer times, String code, String message) {}

    /** Reads a scenario file (YAML or JSON). */
    public static Scenario read(Path file) throws IOException {
        ObjectMapper yaml =
                new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            return yaml.readValue(file.toFile(), Scenario.class);
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new IOException("scenario file not found: " + file, e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")";
            throw new IOException("cannot read scenario " + file + ": " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new IOException("cannot read scenario " + file + ": " + e.getMessage(), e);
        }
    }
}
