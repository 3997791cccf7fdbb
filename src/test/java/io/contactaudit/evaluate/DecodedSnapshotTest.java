package io.contactaudit.evaluate;

import static io.contactaudit.evaluate.TestSnapshots.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.Sha256;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DecodedSnapshotTest {

    private final SingleObjectAvroSerde<SecurityContactSnapshot> serde =
            new SingleObjectAvroSerde<>(SecurityContactSnapshot.class);
    private final MessageDigest sha256 = Sha256.digest();

    static Stream<SecurityContactSnapshot> snapshots() {
        SecurityContactSnapshot named = TestSnapshots.passing(T0);
        named.setTenantName("Contoso");
        named.setReadThroughTenantId("managing-tenant");
        named.setCollectionIntervalMs(900_000L);
        SecurityContactSnapshot noTenant = TestSnapshots.failing(T0);
        noTenant.setTenantId(null);
        SecurityContactSnapshot pages = TestSnapshots.passing(T0);
        pages.setRawBodies(List.of("{\"value\":[]}", "{\"name\":\"ünïcode ✓ 漢 😀\"}", ""));
        SecurityContactSnapshot noPages = TestSnapshots.passing(T0);
        noPages.setRawBodies(List.of());
        return Stream.of(named, noTenant, pages, noPages, TestSnapshots.forbidden(T0));
    }

    @ParameterizedTest
    @MethodSource("snapshots")
    void aSnapshotReadInPlaceIsTheSnapshotDecodedWhole(SecurityContactSnapshot snapshot) {
        DecodedSnapshot inPlace = inPlace(snapshot);
        DecodedSnapshot whole = DecodedSnapshot.of(snapshot, null, null);
        assertThat(inPlace.head()).isEqualTo(SnapshotHead.of(snapshot)).isEqualTo(whole.head());
        assertThat(inPlace.contentDigest(sha256)).isEqualTo(whole.contentDigest(sha256));
        assertThat(inPlace.snapshot()).isEqualTo(snapshot);
    }

    @ParameterizedTest
    @MethodSource("snapshots")
    void theDigestChangesWithThePagesAndTheTenantOnly(SecurityContactSnapshot snapshot) {
        long[] digest = inPlace(snapshot).contentDigest(sha256);
        if (digest == null) {
            assertThat(snapshot.getStatus()).isNotEqualTo(CollectionStatus.OK);
            return;
        }
        SecurityContactSnapshot later = SecurityContactSnapshot.newBuilder(snapshot)
                .setCollectedAt(T0.plusSeconds(900))
                .setRunId("another run")
                .build();
        assertThat(inPlace(later).contentDigest(sha256)).isEqualTo(digest);
        SecurityContactSnapshot otherPage = SecurityContactSnapshot.newBuilder(snapshot)
                .setRawBodies(Stream.concat(snapshot.getRawBodies().stream(), Stream.of("{}"))
                        .toList())
                .build();
        assertThat(inPlace(otherPage).contentDigest(sha256)).isNotEqualTo(digest);
        SecurityContactSnapshot otherTenant = SecurityContactSnapshot.newBuilder(snapshot)
                .setTenantId("another-tenant")
                .build();
        assertThat(inPlace(otherTenant).contentDigest(sha256)).isNotEqualTo(digest);
    }

    @Test
    void pagesSplitDifferentlyDigestDifferently() {
        SecurityContactSnapshot one = TestSnapshots.passing(T0);
        one.setRawBodies(List.of("ab", "c"));
        SecurityContactSnapshot other = TestSnapshots.passing(T0);
        other.setRawBodies(List.of("a", "bc"));
        assertThat(inPlace(one).contentDigest(sha256))
                .isNotEqualTo(inPlace(other).contentDigest(sha256));
    }

    private DecodedSnapshot inPlace(SecurityContactSnapshot snapshot) {
        byte[] bytes = serde.serializer().serialize("t", snapshot);
        return DecodedSnapshot.inPlace(serde.fields(bytes), null, bytes);
    }
}
