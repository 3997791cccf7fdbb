package io.contactaudit.cli;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ChangeFeed;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.TopicProvisioner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of the commands that collect ({@code collect}, {@code run}). */
public final class CollectorOptions {

    private final CliContext context;

    @Option(
            names = "--subscriptions",
            paramLabel = "ID[,ID...]",
            description = "Collect only these subscriptions (default: every subscription the identity can see).")
    String subscriptions;

    @Option(
            names = "--include",
            paramLabel = "REGEX",
            description = "Only subscriptions whose id or display name matches.")
    String include;

    @Option(
            names = "--exclude",
            paramLabel = "REGEX",
            description = "Not the subscriptions whose id or display name matches.")
    String exclude;

    @Option(
            names = "--api-version",
            paramLabel = "V",
            description =
                    "securityContacts api-version requested (default 2023-12-01-preview; every generation is understood).")
    String apiVersion;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "Subscriptions read at the same time (default 16).")
    String concurrency;

    @Option(
            names = "--scenario",
            paramLabel = "FILE",
            description =
                    "Serve a simulated tenant from this scenario file (YAML or JSON) on a local HTTPS endpoint instead of Azure.")
    Path scenario;

    CollectorOptions(CliContext context) {
        this.context = context;
    }

    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(ContactAuditConfig.SUBSCRIPTIONS_CONFIG, subscriptions);
        flags.put(ContactAuditConfig.INCLUDE_CONFIG, include);
        flags.put(ContactAuditConfig.EXCLUDE_CONFIG, exclude);
        flags.put(ContactAuditConfig.API_VERSION_CONFIG, apiVersion);
        flags.put(ContactAuditConfig.CONCURRENCY_CONFIG, concurrency);
        return flags;
    }

    /** The Azure side: Resource Manager, or a local fake serving {@code --scenario}. */
    record Azure(List<Collector.Source> sources, FakeArm fake) implements AutoCloseable {

        /** The first identity's client (the only one without a tenants file). */
        ArmClient arm() {
            return sources.get(0).arm();
        }

        /**
         * With a scenario and {@code events.enabled}: the change events Azure would deliver for each change made through
         * the fake's API, written to {@code events.topic} (created when missing); otherwise null.
         */
        ChangeFeed changeFeed(ContactAuditConfig config, PrintWriter out) {
            if (fake == null || !config.eventsEnabled()) {
                return null;
            }
            Map<String, Object> client = config.eventsClientProperties();
            TopicProvisioner.ensureTopic(client, config.eventsTopic(), 1, config.kafkaTimeout());
            out.println("changes made through " + fake.endpoint() + " (PUT or DELETE of"
                    + " subscriptions/{id}/providers/Microsoft.Security/securityContacts/default?api-version=...,"
                    + " any bearer token, self-signed certificate) are written to " + config.eventsTopic()
                    + " as Azure's change events");
            return ChangeFeed.start(fake, client, config.eventsTopic());
        }

        @Override
        public void close() {
            if (fake != null) {
                fake.close();
            }
        }
    }

    /** Builds the Resource Manager client once, for Azure or for the scenario (whose endpoint it announces on {@code out}). */
    Azure azure(ContactAuditConfig config, PrintWriter out) {
        if (scenario == null) {
            return new Azure(CollectorApp.sources(config, context.env()), null);
        }
        try {
            FakeArm fake = FakeArm.start(Scenario.read(scenario));
            out.println("serving the simulated tenant of " + scenario + " at " + fake.endpoint()
                    + " (Azure is not contacted)");
            // with a tenants file, each tenant's identity gets its tokens from the scenario's endpoint, as from Entra
            // ID
            return new Azure(
                    CollectorApp.sources(config, context.env(), fake.endpoint(), fake.clientSslContext()), fake);
        } catch (IOException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }
}
