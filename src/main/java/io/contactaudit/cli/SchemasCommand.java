package io.contactaudit.cli;

import io.contactaudit.app.ExitCodes;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.RegistryUrl;
import io.contactaudit.kafka.SchemaRegistration;
import io.contactaudit.kafka.Topics;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code contact-audit schemas}: the registry deploy step. */
@Command(
        name = "schemas",
        mixinStandardHelpOptions = true,
        description = "Schema Registry deploy step.",
        subcommands = {SchemasCommand.Register.class})
public final class SchemasCommand {

    /** {@code schemas register}. */
    @Command(
            name = "register",
            mixinStandardHelpOptions = true,
            description = {
                "Checks every Avro topic's schema against the registry (BACKWARD by default) and registers them.",
                "Fails, registering nothing, with the list of what would break when a change is incompatible."
            })
    static final class Register implements Callable<Integer> {
        private final CliContext context;

        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(
                names = "--schema-registry-url",
                paramLabel = "URL",
                description = "Registry base URL or its /apis/ccompat/v7 API (or schema.registry.url).")
        String url;

        @Option(
                names = "--compatibility",
                defaultValue = "BACKWARD",
                paramLabel = "MODE",
                description = "BACKWARD (default), BACKWARD_TRANSITIVE, FORWARD, FULL, ...")
        String compatibility;

        Register(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            LinkedHashMap<String, String> flags = new LinkedHashMap<>();
            flags.put(ContactAuditConfig.REGISTRY_URL_CONFIG, url);
            ContactAuditConfig config = kafka.load(flags);
            String registry = config.registryUrl();
            if (registry == null) {
                throw new ConfigException(
                        "no schema registry configured: give --schema-registry-url URL or CONTACT_AUDIT_SCHEMA_REGISTRY_URL");
            }
            String user = context.env().get("CONTACT_AUDIT_SCHEMA_REGISTRY_BASIC_AUTH");
            RegistryUrl target = RegistryUrl.parse(registry);
            if (target.credentialsInClear(user != null && !user.isBlank())) {
                spec.commandLine().getErr().println("contact-audit: warning: " + target.inClearWarning());
            }
            SchemaRegistration registration = new SchemaRegistration(registry, user);
            List<SchemaRegistration.Result> results = registration.register(
                    SchemaRegistration.subjects(Topics.create(config.topicPrefix())), compatibility);
            PrintWriter out = spec.commandLine().getOut();
            results.forEach(
                    r -> out.printf("%-60s id %d%s%n", r.subject(), r.id(), r.created() ? " (new subject)" : ""));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
