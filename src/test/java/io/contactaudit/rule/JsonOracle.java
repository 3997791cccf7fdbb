package io.contactaudit.rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An independent reading of RULE.md, for the property tests: its own strict JSON parser (RFC 8259; a repeated
 * field name is ambiguous and refused) and its own walk over the tree, sharing no code with the normaliser or
 * Jackson. It answers one question: does the body hold a contact that e-mails alerts of an accepted minimal
 * severity? Enum values compare case-insensitively in ASCII only; {@code isEnabled} may also be the string
 * "true"/"false" (any case, surrounding blanks), and a single {@code notificationsSources} object counts as a
 * one-element list (the tolerances the README documents).
 */
final class JsonOracle {

    static final Set<String> DEFAULT = Set.of("high", "medium", "low");
    static final Set<String> STRICT = Set.of("high");

    private static final Object NULL = new Object();

    /** A number, kept as its text. */
    private record Num(String text) {}

    private JsonOracle() {}

    /** Whether some contact qualifies; false for anything that is not a readable list. */
    static boolean qualifies(String body, Set<String> accepted) {
        Object root;
        try {
            String text = body.startsWith("\uFEFF") ? body.substring(1) : body;
            root = new Parser(text).document();
        } catch (IllegalArgumentException notJson) {
            return false;
        }
        Object contacts = root instanceof Map<?, ?> m ? m.get("value") : root;
        if (!(contacts instanceof List<?> list)) {
            return false;
        }
        for (Object c : list) {
            if (c instanceof Map<?, ?> contact
                    && contact.get("properties") instanceof Map<?, ?> p
                    && qualifies(p, accepted)) {
                return true;
            }
        }
        return false;
    }

    private static boolean qualifies(Map<?, ?> p, Set<String> accepted) {
        Object enabled = p.get("isEnabled");
        if (Boolean.FALSE.equals(enabled) || enabled instanceof String s && asciiEquals(s.trim(), "false")) {
            return false;
        }
        boolean enabledTrue =
                Boolean.TRUE.equals(enabled) || enabled instanceof String s && asciiEquals(s.trim(), "true");
        if (enabledTrue) {
            Object sources = p.get("notificationsSources");
            List<?> entries =
                    sources instanceof List<?> l ? l : sources instanceof Map<?, ?> one ? List.of(one) : List.of();
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> s
                        && s.get("sourceType") instanceof String type
                        && asciiEquals(type, "alert")
                        && accepted(s.get("minimalSeverity"), accepted)) {
                    return true;
                }
            }
        }
        Object alerts = p.get("alertNotifications");
        if (alerts instanceof String state) {
            return asciiEquals(state, "on");
        }
        return alerts instanceof Map<?, ?> a
                && a.get("state") instanceof String state
                && asciiEquals(state, "on")
                && accepted(a.get("minimalSeverity"), accepted);
    }

    private static boolean accepted(Object severity, Set<String> accepted) {
        if (!(severity instanceof String s)) {
            return false;
        }
        for (String a : accepted) {
            if (asciiEquals(s, a)) {
                return true;
            }
        }
        return false;
    }

    /** Equal but for the case of ASCII letters; {@code lower} is lower case. */
    static boolean asciiEquals(String value, String lower) {
        if (value.length() != lower.length()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            char folded = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            if (folded != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 8259, nothing more: no comments, no trailing commas, no repeated names, no leading zeros. */
    private static final class Parser {
        private static final int MAX_DEPTH = 1_000;
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value(0);
            blanks();
            if (i != s.length()) {
                throw fail("trailing text");
            }
            return v;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw fail("too deep");
            }
            blanks();
            if (i >= s.length()) {
                throw fail("end of input");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", NULL);
                default:
                    return number();
            }
        }

        private Map<String, Object> object(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            boolean more = opened('}');
            while (more) {
                blanks();
                if (peek() != '"') {
                    throw fail("name expected");
                }
                String name = string();
                blanks();
                expect(':');
                Object v = value(depth + 1);
                if (map.containsKey(name)) {
                    throw fail("repeated name " + name);
                }
                map.put(name, v);
                more = separated('}');
            }
            return map;
        }

        private List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            boolean more = opened(']');
            while (more) {
                list.add(value(depth + 1));
                more = separated(']');
            }
            return list;
        }

        /** Past the opening bracket: whether a member follows (false for an empty object or array). */
        private boolean opened(char close) {
            i++;
            blanks();
            if (peek() == close) {
                i++;
                return false;
            }
            return true;
        }

        /** After a member: true on ',', false on the closing bracket. */
        private boolean separated(char close) {
            blanks();
            char c = next();
            if (c != ',' && c != close) {
                throw fail("',' or '" + close + "' expected");
            }
            return c == ',';
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            i++;
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw fail("control character in a string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw fail("short \\u escape");
                        }
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            char h = s.charAt(i++);
                            int d = h >= '0' && h <= '9'
                                    ? h - '0'
                                    : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                            if (d < 0) {
                                throw fail("bad \\u escape");
                            }
                            code = code * 16 + d;
                        }
                        out.append((char) code);
                    }
                    default -> throw fail("bad escape");
                }
            }
        }

        private Num number() {
            int start = i;
            if (peek() == '-') {
                i++;
            }
            if (peek() == '0') {
                i++;
            } else if (isDigit(peek())) {
                digits();
            } else {
                throw fail("value expected");
            }
            if (peek() == '.') {
                i++;
                if (!isDigit(peek())) {
                    throw fail("digit expected");
                }
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                i++;
                if (peek() == '+' || peek() == '-') {
                    i++;
                }
                if (!isDigit(peek())) {
                    throw fail("digit expected");
                }
                digits();
            }
            return new Num(s.substring(start, i));
        }

        private void digits() {
            while (isDigit(peek())) {
                i++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) {
                throw fail("bad literal");
            }
            i += word.length();
            return v;
        }

        private void blanks() {
            while (i < s.length()
                    && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
                i++;
            }
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private char next() {
            if (i >= s.length()) {
                throw fail("end of input");
            }
            return s.charAt(i++);
        }

        private void expect(char c) {
            if (next() != c) {
                throw fail("'" + c + "' expected");
            }
        }

        private IllegalArgumentException fail(String why) {
            return new IllegalArgumentException(why + " at " + i);
        }
    }
}
