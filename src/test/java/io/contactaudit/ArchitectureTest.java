package io.contactaudit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The rooms' dependency rules, checked on the compiled main classes: no cycle between packages (the root
 * package counts as one), no room below the wiring reads the configuration, and nothing below the entry
 * points depends on them. Each rule is also run against a fixture that breaks it, so that it can fail.
 */
class ArchitectureTest {

    private static final String BASE = "io.contactaudit";
    /** Rooms that get settings, never the configuration: the domain, the plumbing and the in-process broker. */
    private static final String[] WITHOUT_CONFIGURATION = {
        "io.contactaudit.rule..",
        "io.contactaudit.evaluate..",
        "io.contactaudit.collector..",
        "io.contactaudit.siem..",
        "io.contactaudit.replay..",
        "io.contactaudit.remediate..",
        "io.contactaudit.kafka..",
        "io.contactaudit.observe..",
        "io.contactaudit.embedded..",
        "io.contactaudit.cyclefixture.."
    };
    /** The entry points and the wiring: commands, app/, the demo, the benchmarks. */
    private static final String[] OUTER = {
        "io.contactaudit.cli..", "io.contactaudit.app..", "io.contactaudit.demo..", "io.contactaudit.bench.."
    };

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages(BASE);

    /** A slice per room: the first package below {@code base}; classes directly in {@code base} are the root room. */
    static SliceAssignment rooms(String base) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass type) {
                String pkg = type.getPackageName();
                if (pkg.equals(base)) {
                    return SliceIdentifier.of("(root)");
                }
                if (pkg.startsWith(base + ".")) {
                    return SliceIdentifier.of(pkg.substring(base.length() + 1).split("\\.")[0]);
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the packages below " + base;
            }
        };
    }

    static ArchRule noCycles(String base) {
        return slices().assignedFrom(rooms(base)).should().beFreeOfCycles();
    }

    static ArchRule noConfiguration() {
        return noClasses()
                .that()
                .resideInAnyPackage(WITHOUT_CONFIGURATION)
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.contactaudit.config..")
                .because("app/ turns the configuration into settings; the rooms below it take settings");
    }

    @Test
    void noPackageCycles() {
        noCycles(BASE).check(MAIN);
    }

    @Test
    void domainAndPlumbingDoNotReadTheConfiguration() {
        noConfiguration().check(MAIN);
    }

    @Test
    void onlyTheEntryPointsUseTheWiringTheCommandsTheDemoAndTheBenchmarks() {
        noClasses()
                .that()
                .resideOutsideOfPackages(OUTER)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(OUTER)
                .check(MAIN);
    }

    @Test
    void theRulesFailOnACycleAndOnAForbiddenImport() {
        JavaClasses fixture = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(BASE + ".cyclefixture");
        assertThat(noCycles(BASE + ".cyclefixture").evaluate(fixture).hasViolation())
                .isTrue();
        assertThat(noConfiguration().evaluate(fixture).hasViolation()).isTrue();
    }
}
