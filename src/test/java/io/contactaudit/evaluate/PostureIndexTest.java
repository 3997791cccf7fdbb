package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
