package io.contactaudit.evaluate;

import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * {@value EvaluateTopology#MAP_OCSF}: each finding as an OCSF Compliance Finding (JSON bytes), keyed by the
 * finding id ({@code finding_info.uid}), in the same transaction as the Avro finding.
 */
final class MapOcsf implements Processor<String, MapOcsf.Input, String, byte[]> {

    /**
     * A finding with what its OCSF event shows besides it.
     *
     * @param finding  the finding
     * @param contacts the contacts it was evaluated on (the last good ones for an ERROR)
     * @param drift    the drift kinds of the same evaluation
     */
    record Input(ComplianceFinding finding, List<NormalizedContact> contacts, List<DriftKind> drift) {}

    private final OcsfComplianceFinding mapping;
    private ProcessorContext<String, byte[]> context;

    MapOcsf(OcsfComplianceFinding mapping) {
        this.mapping = mapping;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Input> record) {
        Input in = record.value();
        byte[] event = mapping.encode(in.finding(), in.contacts(), in.drift());
        context.forward(
                record.withKey(in.finding().getFindingId()).withValue(event), EvaluateTopology.FINDINGS_OCSF_SINK);
    }
}
