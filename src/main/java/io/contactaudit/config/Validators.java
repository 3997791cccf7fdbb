package io.contactaudit.config;

import io.contactaudit.Durations;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The validators of {@link ContactAuditConfig#DEFINITION}: each fails with one line that names the key and
 * says what it must be. Unset (null or blank) passes: whether a key is required is for its user to say.
 */
final class Validators {

    private Validators() {}

    /** A named check of one value. */
    private record Check(String description, Checker checker) implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !value.toString().isBlank()) {
                checker.check(name, value);
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }

    @FunctionalInterface
    private interface Checker {
        void check(String name, Object value);
    }

    /** An ISO-8601 duration, positive, at most {@link Durations#LONGEST}. */
    static ConfigDef.Validator positiveDuration() {
        return new Check(
                "a positive ISO-8601 duration, at most " + Durations.LONGEST_TEXT,
                (name, value) -> duration(name, value.toString()));
    }

    /** The duration of a validated value. */
    static Duration duration(String name, String text) {
        try {
            Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(name + " must be positive, got " + text);
            }
            if (d.compareTo(Durations.LONGEST) > 0) {
                throw new ConfigException(name + " must be at most " + Durations.LONGEST_TEXT + ", got " + text);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ConfigException(name + " must be an ISO-8601 duration such as PT15M or PT1H, got '" + text + "'");
        }
    }

    static ConfigDef.Validator atLeast(int min) {
        return new Check("at least " + min, (name, value) -> {
            if (((Number) value).intValue() < min) {
                throw new ConfigException(name + " must be at least " + min + ", got " + value);
            }
        });
    }

    static ConfigDef.Validator notNegative() {
        return new Check("not negative", (name, value) -> {
            if (((Number) value).intValue() < 0) {
                throw new ConfigException(name + " must not be negative");
            }
        });
    }

    /** A value that {@code parser} accepts; its message follows the key's name. */
    static ConfigDef.Validator parsing(Function<String, ?> parser) {
        return new Check("a known value", (name, value) -> {
            try {
                parser.apply(value.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name + ": " + e.getMessage());
            }
        });
    }

    /** One of {@code allowed}, in any case. */
    static ConfigDef.Validator oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return new Check(String.join(" or ", values), (name, value) -> {
            if (!values.contains(value.toString().trim().toLowerCase(Locale.ROOT))) {
                throw new ConfigException(name + " must be " + String.join(" or ", values) + ", got '" + value + "'");
            }
        });
    }

    /** Not empty. Unlike the others, a blank value fails. */
    static ConfigDef.Validator notBlank() {
        return (name, value) -> {
            if (value == null || value.toString().isBlank()) {
                throw new ConfigException(name + " must not be empty");
            }
        };
    }

    static ConfigDef.Validator regex() {
        return new Check("a regular expression", (name, value) -> {
            try {
                Pattern.compile(value.toString());
            } catch (PatternSyntaxException e) {
                throw new ConfigException(name + " is not a valid regular expression: " + e.getDescription());
            }
        });
    }

    /** A port number, 0 for any free one. */
    static ConfigDef.Validator port() {
        return new Check("a port number", (name, value) -> {
            int port;
            try {
                port = Integer.parseInt(value.toString().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be an integer, got '" + value + "'");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(name + " must be a port number (0 for any free port), got " + port);
            }
        });
    }

    static ConfigDef.Validator httpsUrl() {
        return new Check("an https URL", (name, value) -> httpsUri(name, value.toString()));
    }

    /** The URI of a validated https URL, ending with a slash. */
    static URI httpsUri(String name, String text) {
        try {
            URI uri = URI.create(text.endsWith("/") ? text : text + "/");
            if (!"https".equalsIgnoreCase(uri.getScheme())) {
                throw new ConfigException(name + " must be an https URL, got '" + text + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + " is not a URL: '" + text + "'");
        }
    }
}
