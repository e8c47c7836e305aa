# syntax=docker/dockerfile:1
# The correlate application: Kafka Streams (RocksDB state) plus the query API, run by bin/nodeincidents.
# Build from the repository root (the Dockerfile-specific correlate.Dockerfile.dockerignore applies):
#   docker build -f deploy/docker/correlate.Dockerfile -t nodeincidents/correlate:0.1.0-SNAPSHOT .
# Runs as uid 10001; state under /var/lib/nodeincidents (a volume); query API on 8080.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# the Maven repository and the wrapper's Maven stay in a build cache between builds
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -pl app -am package -DskipTests \
 && mkdir -p /out/lib \
 && cp app/target/lib/*.jar /out/lib/ \
 && for f in app/target/nodeincidents-app-*.jar; do \
      case "$f" in *-tests.jar|*-sources.jar|*-javadoc.jar) ;; *) cp "$f" /out/lib/ ;; esac; \
    done

FROM eclipse-temurin:17-jre
ARG VERSION=0.1.0-SNAPSHOT
ARG UID=10001
LABEL org.opencontainers.image.title="nodeincidents-correlate" \
      org.opencontainers.image.description="Correlates kernel memory reports with container-runtime and kubelet failures (Kafka Streams) and serves the incident query API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="nodeincidents"
RUN groupadd --gid "${UID}" nodeincidents \
 && useradd --uid "${UID}" --gid nodeincidents --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin nodeincidents \
 && mkdir -p /var/lib/nodeincidents/state /etc/nodeincidents/config \
 && chown -R nodeincidents:nodeincidents /var/lib/nodeincidents
# the launcher finds lib/ beside its bin/: the installed layout (no NODEINCIDENTS_HOME needed)
COPY --from=build /out/lib/ /opt/nodeincidents/lib/
COPY bin/nodeincidents deploy/docker/healthcheck /opt/nodeincidents/bin/
COPY deploy/config/correlate.properties /etc/nodeincidents/config/correlate.properties
# heap under half the memory limit: RocksDB allocates outside the heap
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError"
USER 10001
WORKDIR /var/lib/nodeincidents
VOLUME ["/var/lib/nodeincidents"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD ["/opt/nodeincidents/bin/healthcheck", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["/opt/nodeincidents/bin/nodeincidents"]
CMD ["correlate", "--config", "/etc/nodeincidents/config/correlate.properties"]
