package io.contactaudit.it;

/** The pipeline on the in-JVM KRaft broker, or on the broker of {@code KAFKA_BOOTSTRAP_SERVERS} when set. */
class PipelineIT extends PipelineContract {

    @Override
    String bootstrapServers() {
        return TestKafka.bootstrapServers();
    }
}
