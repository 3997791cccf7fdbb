package io.contactaudit.cyclefixture.a;

import io.contactaudit.cyclefixture.b.Second;

/** Half of a package cycle, for {@code ArchitectureTest} to prove that it sees one. */
public final class First {

    Second other() {
        return null;
    }
}
