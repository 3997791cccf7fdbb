package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.Profile;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** Pins node, store and topic names: renaming any of them breaks state and consumers of a running deployment. */
class EvaluateTopologyDescribeTest {

    @Test
    void namesArePinned() {
        TopologyDescription description = EvaluateTopology.build(
                        Topics.create("contact-audit"),
                        new EvaluateTopology.Settings(Profile.DEFAULT, Duration.ofMinutes(45), Duration.ofMinutes(1)))
                .describe();

        assertThat(description.subtopologies()).hasSize(1);
        assertThat(description.globalStores()).hasSize(1);
        TopologyDescription.GlobalStore exceptions =
                description.globalStores().iterator().next();
        assertThat(exceptions.source().name()).isEqualTo("exceptions-source");
        assertThat(exceptions.source().topicSet()).containsExactly("contact-audit.exceptions.v1");
        assertThat(exceptions.processor().name()).isEqualTo("update-exceptions");
        assertThat(exceptions.processor().stores()).containsExactly("exceptions-store");
        TopologyDescription.Subtopology sub =
                description.subtopologies().iterator().next();
        Set<String> nodes =
                sub.nodes().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet());
        assertThat(nodes)
                .containsExactlyInAnyOrder(
                        "snapshots-source",
                        "decode-snapshots",
                        "evaluate-snapshots",
                        "map-ocsf",
                        "findings-sink",
                        "findings-ocsf-sink",
                        "drift-sink",
                        "posture-sink",
                        "dlq-sink");

        TopologyDescription.Source source = (TopologyDescription.Source) node(sub, "snapshots-source");
        assertThat(source.topicSet()).containsExactly("contact-audit.snapshots.v1");
        assertThat(successors(source)).containsExactly("decode-snapshots");
        assertThat(successors(node(sub, "decode-snapshots")))
                .containsExactlyInAnyOrder("evaluate-snapshots", "dlq-sink");
        assertThat(((TopologyDescription.Processor) node(sub, "decode-snapshots")).stores())
                .isEmpty();
        TopologyDescription.Processor evaluate = (TopologyDescription.Processor) node(sub, "evaluate-snapshots");
        assertThat(evaluate.stores()).containsExactly("posture-store");
        assertThat(successors(evaluate))
                .containsExactlyInAnyOrder("map-ocsf", "findings-sink", "drift-sink", "posture-sink", "dlq-sink");
        assertThat(successors(node(sub, "map-ocsf"))).containsExactly("findings-ocsf-sink");
        assertThat(((TopologyDescription.Processor) node(sub, "map-ocsf")).stores())
                .isEmpty();
        assertThat(((TopologyDescription.Sink) node(sub, "findings-sink")).topic())
                .isEqualTo("contact-audit.findings.v1");
        assertThat(((TopologyDescription.Sink) node(sub, "findings-ocsf-sink")).topic())
                .isEqualTo("contact-audit.findings-ocsf.v1");
        assertThat(((TopologyDescription.Sink) node(sub, "drift-sink")).topic()).isEqualTo("contact-audit.drift.v1");
        assertThat(((TopologyDescription.Sink) node(sub, "posture-sink")).topic())
                .isEqualTo("contact-audit.posture.v1");
        assertThat(((TopologyDescription.Sink) node(sub, "dlq-sink")).topic()).isEqualTo("contact-audit.dlq.v1");
    }

    @Test
    void theStoreHasTheSameNameAndSoTheSameChangelogOnTheHeap() {
        EvaluateTopology.Settings settings =
                new EvaluateTopology.Settings(Profile.DEFAULT, Duration.ofMinutes(45), Duration.ofMinutes(1));
        TopologyDescription onDisk =
                EvaluateTopology.build(Topics.create("contact-audit"), settings).describe();
        TopologyDescription onHeap = EvaluateTopology.build(
                        Topics.create("contact-audit"), settings.withStore(EvaluateTopology.StoreKind.MEMORY))
                .describe();
        assertThat(onHeap.toString()).isEqualTo(onDisk.toString());
    }

    static Set<String> successors(TopologyDescription.Node node) {
        return node.successors().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet());
    }

    @Test
    void thePrefixIsConfigurable() {
        TopologyDescription description = EvaluateTopology.build(
                        Topics.create("acme.audit"),
                        new EvaluateTopology.Settings(Profile.DEFAULT, Duration.ofMinutes(45), Duration.ofMinutes(1)))
                .describe();
        assertThat(description.toString())
                .contains("acme.audit.snapshots.v1", "acme.audit.posture.v1")
                .doesNotContain("contact-audit.");
    }

    static TopologyDescription.Node node(TopologyDescription.Subtopology sub, String name) {
        return sub.nodes().stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
