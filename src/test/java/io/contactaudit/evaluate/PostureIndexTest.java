package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PostureIndexTest {

    @Test
    void holdsWhatAMapHoldsThroughPutsRemovesAndGrowth() {
        PostureIndex index = new PostureIndex();
        Map<String, Long> model = new HashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 50_000; i++) {
            String key = "sub-" + random.nextInt(5_000);
            if (random.nextInt(4) == 0) {
                index.remove(key);
                model.remove(key);
            } else {
                long deadline = random.nextLong();
                index.put(key, deadline);
                model.put(key, deadline);
            }
        }
        assertThat(index.size()).isEqualTo(model.size());
        for (int k = 0; k < 5_000; k++) {
            assertThat(index.deadline("sub-" + k)).isEqualTo(model.get("sub-" + k));
        }
    }

    @Test
    void knowsGuidsByTheirBitsAndAnyOtherKeyByItsTextThroughPutsRemovesGrowthAndScans() {
        PostureIndex index = new PostureIndex();
        Map<String, Long> model = new HashMap<>();
        Random random = new Random(11);
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < 2_000; k++) {
            String guid = new UUID(random.nextLong(), random.nextLong()).toString();
            keys.add(guid);
            // the same GUID but for one digit, and forms that are not canonical: each its own subscription
            keys.add(guid.substring(0, 35) + (guid.charAt(35) == '0' ? '1' : '0'));
            if (k % 50 == 0) {
                keys.add(guid.toUpperCase(Locale.ROOT));
                keys.add(guid.replace("-", ""));
                keys.add("{" + guid + "}");
                keys.add("sub-" + k);
            }
        }
        keys.add("00000000-0000-0000-0000-000000000000");
        keys.add("00000000-0000-0000-0000-000000000001");
        keys.add("ffffffff-ffff-ffff-ffff-ffffffffffff");
        keys.add("");
        for (int i = 0; i < 60_000; i++) {
            String key = keys.get(random.nextInt(keys.size()));
            if (random.nextInt(4) == 0) {
                index.remove(key);
                model.remove(key);
            } else {
                long deadline = random.nextLong(1_000_000);
                index.put(key, deadline);
                index.digest(key, deadline, ~deadline);
                model.put(key, deadline);
            }
        }
        assertThat(index.size()).isEqualTo(model.size());
        for (String key : keys) {
            Long deadline = model.get(key);
            assertThat(index.deadline(key)).as(key).isEqualTo(deadline);
            assertThat(index.sameDigest(key, deadline == null ? 1 : deadline, deadline == null ? ~1 : ~deadline))
                    .as(key)
                    .isEqualTo(deadline != null);
        }
        Map<String, Long> scanned = new HashMap<>();
        assertThat(index.scan(Long.MAX_VALUE, Long.MAX_VALUE, key -> scanned.put(key, index.deadline(key))))
                .isTrue();
        assertThat(scanned).as("each key handed out in its own text").isEqualTo(model);
    }

    @Test
    void aKeyAndTheGuidThatSpellsItsHashAreTwoSubscriptions() throws Exception {
        // anyone can write the 128 bits a key that is not a GUID is known by as a GUID: the two must stay apart
        List<String> keys = new ArrayList<>(List.of("sub-1", "00000000-0000-0000-0000-000000000000", ""));
        for (String key : List.copyOf(keys)) {
            java.nio.ByteBuffer hash = java.nio.ByteBuffer.wrap(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_16BE)));
            keys.add(PostureIndex.guid(hash.getLong(), hash.getLong()));
        }
        keys.add("a\uD800"); // a lone surrogate, which UTF-8 would write as the '?' of the next key
        keys.add("a?");
        PostureIndex index = new PostureIndex();
        for (int k = 0; k < keys.size(); k++) {
            index.put(keys.get(k), k);
            index.digest(keys.get(k), k + 1, k + 1);
        }
        assertThat(index.size()).isEqualTo(keys.size());
        for (int k = 0; k < keys.size(); k++) {
            assertThat(index.deadline(keys.get(k))).as(keys.get(k)).isEqualTo(k);
            assertThat(index.sameDigest(keys.get(k), k + 1, k + 1))
                    .as(keys.get(k))
                    .isTrue();
        }
        for (int k = 3; k < 6; k++) {
            index.remove(keys.get(k)); // the GUIDs go, the keys whose hashes they spell stay
            assertThat(index.deadline(keys.get(k - 3))).as(keys.get(k - 3)).isEqualTo(k - 3);
        }
        List<String> scanned = new ArrayList<>();
        assertThat(index.scan(Long.MAX_VALUE, Long.MAX_VALUE, scanned::add)).isTrue();
        assertThat(scanned)
                .containsExactlyInAnyOrder("sub-1", "00000000-0000-0000-0000-000000000000", "", "a\uD800", "a?");
    }

    @Test
    void idsThatFollowAPatternSpreadOverTheTable() {
        PostureIndex index = new PostureIndex();
        for (int i = 0; i < 100_000; i++) {
            // the bench's ids: the same number in the first and last group
            index.put(String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", i, i), i);
            index.put(String.format(Locale.ROOT, "00000000-0000-0000-0000-%012x", i + 1), i);
        }
        assertThat(index.size()).isEqualTo(200_000);
        // at most half full, linear probing over well-mixed ids: runs of a few dozen slots, not thousands
        assertThat(index.longestProbe()).isLessThan(64);
    }

    @Test
    void removalsBetweenSlicesNeverHideAnEntryFromThePassUnderWay() {
        for (int seed = 0; seed < 20; seed++) {
            PostureIndex index = new PostureIndex();
            List<String> keys = new ArrayList<>();
            Random random = new Random(seed);
            for (int k = 0; k < 3_000; k++) {
                String key = new UUID(random.nextLong(), random.nextLong()).toString();
                keys.add(key);
                index.put(key, 0);
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            java.util.Set<String> removed = new java.util.HashSet<>();
            // slices of one entry each; between two slices another subscription's posture may be deleted, and the
            // backward shift of its run may move entries across the scan's cursor, or around the end of the table
            while (!index.scan(1, Long.MIN_VALUE, seen::add)) {
                if (random.nextInt(3) == 0) {
                    String key = keys.get(random.nextInt(keys.size()));
                    if (removed.add(key)) {
                        index.remove(key);
                    }
                }
            }
            seen.addAll(removed);
            assertThat(seen).as("seed " + seed).hasSameSizeAs(keys);
        }
    }

    @Test
    void aScanFindsEveryoneDueOnceEvenWhenItRemovesThemAndResumesWhereASliceStopped() {
        PostureIndex index = new PostureIndex();
        for (int k = 0; k < 1_000; k++) {
            index.put("sub-" + k, k);
        }
        List<String> due = new ArrayList<>();
        // one slice with no time left: it stops after the first one due, and the next goes on from there
        assertThat(index.scan(500, Long.MIN_VALUE, sub -> {
                    due.add(sub);
                    index.remove(sub);
                }))
                .isFalse();
        assertThat(due).hasSize(1);
        while (!index.scan(500, Long.MAX_VALUE, sub -> {
            due.add(sub);
            index.remove(sub);
        })) {
            // resume
        }
        assertThat(due).hasSize(500).doesNotHaveDuplicates().allMatch(sub -> Integer.parseInt(sub.substring(4)) < 500);
        assertThat(index.size()).isEqualTo(500);
    }

    @Test
    void aDigestBelongsToItsSubscriptionUntilItsPostureIsRemoved() {
        PostureIndex index = new PostureIndex();
        index.put("a", 1);
        assertThat(index.sameDigest("a", 1, 2)).as("nothing noted yet").isFalse();
        index.digest("a", 1, 2);
        assertThat(index.sameDigest("a", 1, 2)).isTrue();
        assertThat(index.sameDigest("a", 1, 3)).isFalse();
        index.digest("a", 0, 0);
        assertThat(index.sameDigest("a", 0, 0)).as("no digest never matches").isFalse();
        index.digest("a", 1, 2);
        index.remove("a");
        index.put("a", 1);
        assertThat(index.sameDigest("a", 1, 2))
                .as("a posture deleted and created again")
                .isFalse();
        index.digest("b", 1, 2);
        assertThat(index.sameDigest("b", 1, 2)).as("no posture, no digest").isFalse();
    }
}
