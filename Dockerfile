# Build the jar first: ./mvnw -q -DskipTests package
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 contact-audit && mkdir -p /var/lib/contact-audit && chown contact-audit /var/lib/contact-audit
COPY target/contact-audit.jar /app/contact-audit.jar
USER contact-audit
WORKDIR /var/lib/contact-audit
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/contact-audit.jar"]
