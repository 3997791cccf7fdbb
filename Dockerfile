# Build the jar first: ./mvnw -q -DskipTests package
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 contact-audit && mkdir -p /var/lib/contact-audit && chown contact-audit /var/lib/contact-audit
COPY target/contact-audit.jar /app/contact-audit.jar
USER contact-audit
WORKDIR /var/lib/contact-audit
# The heap fixed at its maximum (initial = max): a heap G1 may shrink is grown again under load, and the kernel's first
# touch of each new page is paid by the threads that allocate (the evaluator's stream threads; docs/benchmarks.md)
ENTRYPOINT ["java", "-XX:InitialRAMPercentage=75", "-XX:MaxRAMPercentage=75", "-jar", "/app/contact-audit.jar"]
