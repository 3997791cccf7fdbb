package io.contactaudit.siem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The OCSF schema source files (vendored under {@code src/test/resources/ocsf/<version>/}, as published in
 * ocsf/ocsf-schema), resolved the way the schema compiler does it, just far enough to validate an event:
 * <ul>
 * <li>a class or object has the attributes of what it {@code extends}, of the profiles it {@code $include}s (tagged
 * with the profile, so they count only when the event lists that profile in {@code metadata.profiles}; an override
 * with {@code "profile": null} unties one) and its own, each merged over its {@code dictionary.json} entry (type,
 * {@code is_array}, enum, sibling);</li>
 * <li>a type ending in {@code _t} is a dictionary type, checked down its base types (regex, max_len, range); any
 * other type is an object file, except {@code object}, which holds anything (as {@code unmapped});</li>
 * <li>the class's {@code class_uid}, {@code category_uid} and {@code type_uid} enums are its own (category uid ×
 * 1000 + class uid; class uid × 100 + activity id), and an observable's {@code type_id} enum is collected from the
 * {@code observable} numbers of dictionary types, dictionary attributes, objects and object attributes.</li>
 * </ul>
 * An event is checked for unknown attributes (outside {@code unmapped}), missing required attributes, types,
 * enum values, captions of enum siblings ({@code severity} of {@code severity_id}, ...), object constraints
 * ({@code at_least_one}, {@code just_one}) and observables (a known type_id; a name pointing at a value the event holds).
 * Missing recommended (unless deprecated) and present deprecated attributes are reported, not failed: the caller decides.
 */
public final class OcsfSchema {

    /** What an event breaks ({@code errors}) and what it leaves out or still uses, paths with {@code []} for any index. */
    public record Report(List<String> errors, Set<String> missingRecommended, Set<String> deprecated) {
        Report() {
            this(new ArrayList<>(), new TreeSet<>(), new TreeSet<>());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INDEX = Pattern.compile("\\[\\d+]");

    private final String root;
    private final JsonNode dictionary;
    private final JsonNode types;
    private final Map<String, Map<String, ObjectNode>> resolved = new HashMap<>();

    private OcsfSchema(String version) {
        this.root = "/ocsf/" + version + "/";
        JsonNode dict = read("dictionary.json");
        this.dictionary = dict.get("attributes");
        this.types = dict.get("types").get("attributes");
    }

    public static OcsfSchema version(String version) {
        OcsfSchema schema = new OcsfSchema(version);
        if (!schema.read("version.json").path("version").asText().equals(version)) {
            throw new IllegalStateException("the vendored schema is not OCSF " + version);
        }
        return schema;
    }

    /** Validates an event of the class in {@code classFile} (e.g. {@code events/findings/compliance_finding.json}). */
    public Report validate(JsonNode event, String classFile) {
        Report report = new Report();
        Set<String> profiles = new TreeSet<>();
        event.path("metadata").path("profiles").forEach(p -> profiles.add(p.asText()));
        checkObject(event, classFile, "", profiles, report);
        checkObservables(event, classFile, report);
        return report;
    }

    // ---- resolution

    /** The attributes of a class or object file, its extends chain and profiles resolved, over the dictionary. */
    Map<String, ObjectNode> attributes(String file) {
        return resolved.computeIfAbsent(file, f -> {
            Map<String, ObjectNode> merged = new LinkedHashMap<>();
            own(f).forEach((name, attribute) -> merged.put(name, merge(dictionary.path(name), attribute)));
            if (f.startsWith("events/")) {
                classEnums(f, merged);
            } else if (f.equals("objects/observable.json")) {
                enumNode(merged.get("type_id")).setAll(observableTypes());
            }
            return merged;
        });
    }

    /** A file's attributes over those of what it extends, without the dictionary. */
    private Map<String, ObjectNode> own(String file) {
        JsonNode node = read(file);
        Map<String, ObjectNode> attributes = new LinkedHashMap<>();
        if (node.has("extends")) {
            own(parent(file, node.get("extends").asText())).forEach(attributes::put);
        }
        for (JsonNode include : node.path("attributes").path("$include")) {
            JsonNode profile = read(include.asText());
            profile.get("attributes").properties().forEach(a -> {
                ObjectNode attribute = a.getValue().deepCopy();
                if ("profile".equals(profile.path("meta").asText()) && !attribute.has("profile")) {
                    attribute.put("profile", profile.get("name").asText());
                }
                attributes.merge(a.getKey(), attribute, OcsfSchema::merge);
            });
        }
        node.path("attributes").properties().forEach(a -> {
            if (!a.getKey().equals("$include")) {
                attributes.merge(a.getKey(), (ObjectNode) a.getValue().deepCopy(), OcsfSchema::merge);
            }
        });
        return attributes;
    }

    private String parent(String file, String name) {
        if (file.startsWith("objects/")) {
            return "objects/" + name + ".json";
        }
        String sibling = file.substring(0, file.lastIndexOf('/') + 1) + name + ".json";
        return getClass().getResource(root + sibling) != null ? sibling : "events/" + name + ".json";
    }

    /** {@code over} merged onto {@code under}: fields replaced, enums merged value by value. */
    private static ObjectNode merge(JsonNode under, JsonNode over) {
        ObjectNode result = under.isObject() ? under.deepCopy() : JSON.createObjectNode();
        over.properties().forEach(f -> {
            if (f.getKey().equals("enum") && result.has("enum")) {
                enumNode(result).setAll((ObjectNode) f.getValue().deepCopy());
            } else {
                result.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        return result;
    }

    /** The class's own class_uid, category_uid and type_uid values, with their captions. */
    private void classEnums(String file, Map<String, ObjectNode> attributes) {
        String caption = read(file).get("caption").asText();
        String categoryName = inherited(file, "category");
        JsonNode category = read("categories.json").get("attributes").get(categoryName);
        int classUid =
                category.get("uid").asInt() * 1000 + read(file).path("uid").asInt();
        enumOf(
                attributes.get("category_uid"),
                category.get("uid").asInt(),
                category.get("caption").asText());
        enumOf(attributes.get("class_uid"), classUid, caption);
        ObjectNode typeUid = attributes.get("type_uid");
        typeUid.remove("enum");
        attributes
                .get("activity_id")
                .get("enum")
                .properties()
                .forEach(a -> enumNode(typeUid)
                        .putObject(String.valueOf(classUid * 100L + Integer.parseInt(a.getKey())))
                        .put(
                                "caption",
                                caption + ": " + a.getValue().get("caption").asText()));
    }

    private String inherited(String file, String field) {
        JsonNode node = read(file);
        return node.has(field)
                ? node.get(field).asText()
                : inherited(parent(file, node.get("extends").asText()), field);
    }

    private static void enumOf(ObjectNode attribute, long value, String caption) {
        attribute.remove("enum");
        enumNode(attribute).putObject(String.valueOf(value)).put("caption", caption);
    }

    private static ObjectNode enumNode(ObjectNode attribute) {
        return attribute.has("enum") ? (ObjectNode) attribute.get("enum") : attribute.putObject("enum");
    }

    /** Observable type_ids and their captions, as the schema compiler collects them. */
    private ObjectNode observableTypes() {
        ObjectNode found = JSON.createObjectNode();
        types.properties()
                .forEach(t -> observable(
                        found, t.getValue(), t.getValue().get("caption").asText()));
        dictionary
                .properties()
                .forEach(a -> observable(
                        found, a.getValue(), a.getValue().get("caption").asText()));
        for (String object : list("objects/")) {
            JsonNode node = read("objects/" + object);
            String caption = node.get("caption").asText();
            observable(found, node, caption);
            node.path("attributes")
                    .properties()
                    .forEach(a -> observable(found, a.getValue(), caption + " Object: " + a.getKey()));
        }
        return found;
    }

    private static void observable(ObjectNode found, JsonNode item, String caption) {
        if (item.has("observable")) {
            found.putObject(item.get("observable").asText()).put("caption", caption);
        }
    }

    // ---- validation

    private void checkObject(JsonNode value, String file, String path, Set<String> profiles, Report report) {
        Map<String, ObjectNode> attributes = new LinkedHashMap<>();
        attributes(file).forEach((name, attribute) -> {
            String profile = attribute.path("profile").asText(null);
            if (profile == null || profiles.contains(profile)) {
                attributes.put(name, attribute);
            }
        });
        value.fieldNames().forEachRemaining(name -> {
            if (!attributes.containsKey(name)) {
                report.errors().add(path + name + ": not an attribute of " + file + " (profiles " + profiles + ")");
            }
        });
        attributes.forEach((name, attribute) -> {
            JsonNode v = value.get(name);
            String requirement = attribute.path("requirement").asText("optional");
            if (v == null || v.isNull()) {
                if (requirement.equals("required")) {
                    report.errors().add(path + name + ": required by " + file + ", missing");
                } else if (requirement.equals("recommended") && !attribute.has("@deprecated")) {
                    report.missingRecommended().add(anyIndex(path + name));
                }
                return;
            }
            if (attribute.has("@deprecated")) {
                report.deprecated().add(anyIndex(path + name));
            }
            if (attribute.path("is_array").asBoolean()) {
                if (!v.isArray()) {
                    report.errors().add(path + name + ": must be an array");
                    return;
                }
                for (int i = 0; i < v.size(); i++) {
                    checkValue(v.get(i), attribute, path + name + "[" + i + "]", profiles, report);
                }
            } else {
                checkValue(v, attribute, path + name, profiles, report);
            }
            checkSibling(value, attribute, path + name, report);
        });
        checkConstraints(value, file, path, report);
    }

    private void checkValue(JsonNode v, ObjectNode attribute, String path, Set<String> profiles, Report report) {
        String type = attribute.path("type").asText();
        if (type.endsWith("_t")) {
            checkType(v, type, path, report);
            if (attribute.has("enum") && !attribute.get("enum").has(v.asText())) {
                report.errors().add(path + ": " + v + " is not one of " + fieldNames(attribute.get("enum")));
            }
        } else if (!v.isObject()) {
            report.errors().add(path + ": must be an object (" + type + ")");
        } else if (!type.equals("object")) {
            checkObject(v, "objects/" + type + ".json", path + ".", profiles, report);
        }
    }

    /** A value of a dictionary type, checked down its chain of base types. */
    private void checkType(JsonNode v, String type, String path, Report report) {
        JsonNode t = types.get(type);
        if (t == null) {
            report.errors().add(path + ": unknown type " + type);
            return;
        }
        if (t.has("regex")
                && !(v.isTextual()
                        && Pattern.compile(t.get("regex").asText())
                                .matcher(v.asText())
                                .matches())) {
            report.errors().add(path + ": " + v + " does not match the " + type + " pattern");
        }
        if (t.has("max_len") && v.asText().length() > t.get("max_len").asInt()) {
            report.errors().add(path + ": longer than " + t.get("max_len") + " characters (" + type + ")");
        }
        if (t.has("range")
                && (v.asLong() < t.get("range").get(0).asLong()
                        || v.asLong() > t.get("range").get(1).asLong())) {
            report.errors().add(path + ": " + v + " is outside " + t.get("range") + " (" + type + ")");
        }
        if (t.has("type")) {
            checkType(v, t.get("type").asText(), path, report);
            return;
        }
        boolean ok = switch (type) {
            case "string_t" -> v.isTextual();
            case "integer_t" -> v.isIntegralNumber() && v.canConvertToInt();
            case "long_t" -> v.isIntegralNumber() && v.canConvertToLong();
            case "float_t" -> v.isNumber();
            case "boolean_t" -> v.isBoolean();
            case "json_t" -> true;
            default -> false;
        };
        if (!ok) {
            report.errors().add(path + ": " + v + " is not a " + type);
        }
    }

    /** The caption beside an enum value ({@code severity} beside {@code severity_id}) is the value's, except for Other (99). */
    private static void checkSibling(JsonNode parent, ObjectNode attribute, String path, Report report) {
        String sibling = attribute.path("sibling").asText(null);
        JsonNode id = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (sibling == null || !parent.has(sibling) || !attribute.has("enum") || id.asInt() == 99) {
            return;
        }
        String caption = attribute.get("enum").path(id.asText()).path("caption").asText();
        if (!parent.get(sibling).asText().equals(caption)) {
            report.errors()
                    .add(path.substring(0, path.lastIndexOf('.') + 1) + sibling + ": '"
                            + parent.get(sibling).asText() + "' is not the caption of " + id + ", '" + caption + "'");
        }
    }

    private void checkConstraints(JsonNode value, String file, String path, Report report) {
        JsonNode constraints = constraints(file);
        for (String kind : List.of("at_least_one", "just_one")) {
            if (constraints.has(kind)) {
                long present = 0;
                for (JsonNode name : constraints.get(kind)) {
                    present += value.hasNonNull(name.asText()) ? 1 : 0;
                }
                if (present == 0 || kind.equals("just_one") && present > 1) {
                    report.errors().add(path + "(" + file + "): " + kind + " of " + constraints.get(kind));
                }
            }
        }
    }

    private JsonNode constraints(String file) {
        JsonNode node = read(file);
        if (node.has("constraints") || !node.has("extends")) {
            return node.path("constraints");
        }
        return constraints(parent(file, node.get("extends").asText()));
    }

    /** Each observable's name is an attribute path of the class (not into {@code unmapped}) and one of its values is the observable's. */
    private void checkObservables(JsonNode event, String classFile, Report report) {
        JsonNode observables = event.path("observables");
        for (int i = 0; i < observables.size(); i++) {
            JsonNode o = observables.get(i);
            if (!o.has("name")) {
                continue;
            }
            if (!resolves(classFile, o.get("name").asText())) {
                report.errors()
                        .add("observables[" + i + "]: " + o.get("name").asText() + " is not an attribute path of "
                                + classFile);
                continue;
            }
            List<JsonNode> values = new ArrayList<>(List.of(event));
            for (String part : o.get("name").asText().split("\\.")) {
                List<JsonNode> next = new ArrayList<>();
                for (JsonNode node : values) {
                    JsonNode child = node.path(part.replaceAll("\\[.*]$", ""));
                    if (child.isArray()) {
                        child.forEach(next::add);
                    } else if (!child.isMissingNode()) {
                        next.add(child);
                    }
                }
                values = next;
            }
            if (values.stream().noneMatch(v -> v.asText().equals(o.path("value").asText()))) {
                report.errors()
                        .add("observables[" + i + "]: " + o.get("name").asText() + " does not hold " + o.path("value"));
            }
        }
    }

    private boolean resolves(String file, String name) {
        String[] parts = name.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            ObjectNode attribute = attributes(file).get(parts[i].replaceAll("\\[.*]$", ""));
            if (attribute == null) {
                return false;
            }
            String type = attribute.path("type").asText();
            if (i < parts.length - 1 && (type.endsWith("_t") || type.equals("object"))) {
                return false;
            }
            file = "objects/" + type + ".json";
        }
        return true;
    }

    // ---- files

    private JsonNode read(String file) {
        try (InputStream in = getClass().getResourceAsStream(root + file)) {
            if (in == null) {
                throw new IllegalStateException("no OCSF schema file " + root + file);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> list(String dir) {
        try (Stream<Path> files =
                Files.list(Path.of(getClass().getResource(root + dir).toURI()))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String anyIndex(String path) {
        return INDEX.matcher(path).replaceAll("[]");
    }
}
