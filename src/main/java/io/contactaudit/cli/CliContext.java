package io.contactaudit.cli;

import java.io.InputStream;
import java.util.Map;

/**
 * What the commands get from the process that runs them, given to every command and mixin whose
 * constructor asks for it.
 *
 * @param stdin standard input, for commands that read {@code -}
 * @param env   the environment, for {@code CONTACT_AUDIT_*} configuration and Azure credentials
 */
public record CliContext(InputStream stdin, Map<String, String> env) {}
