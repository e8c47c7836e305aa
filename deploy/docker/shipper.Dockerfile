# syntax=docker/dockerfile:1
# The node shipper: journalctl -> Kafka. Small on purpose (it runs on every node): debian-slim with journalctl,
# a Java runtime cut down to the modules the ingest jars use (jlink), and only the ingest module's jars (no
# Kafka Streams, RocksDB or broker).
# Build from the repository root (the Dockerfile-specific shipper.Dockerfile.dockerignore applies):
#   docker build -f deploy/docker/shipper.Dockerfile --build-arg JOURNAL_GID=101 \
#     -t nodeincidents/shipper:0.1.0-SNAPSHOT .
# The `base` stage (OS, journalctl, Java runtime, user) is also the base image for the Jib build:
#   docker build -f deploy/docker/shipper.Dockerfile --target base -t nodeincidents/shipper-base:0.1.0-SNAPSHOT .

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -pl ingest -am package -DskipTests \
 && mkdir -p /out/lib \
 && cp ingest/target/lib/*.jar /out/lib/ \
 && for f in ingest/target/nodeincidents-ingest-*.jar; do \
      case "$f" in *-tests.jar|*-sources.jar|*-javadoc.jar) ;; *) cp "$f" /out/lib/ ;; esac; \
    done
# the modules the jars need (jdeps) plus what is only reached by reflection or service loading: elliptic-curve
# TLS, JNDI DNS, management beans, the JDK HTTP server
RUN modules="$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps \
                 --class-path '/out/lib/*' /out/lib/*.jar | tail -n 1)" \
 && jlink --add-modules "${modules},jdk.crypto.ec,jdk.naming.dns,jdk.management,jdk.httpserver,jdk.zipfs" \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output /out/jre

# journalctl must read the hosts' journal files: a newer journalctl reads older files, not always the reverse,
# so the base follows a recent Debian (trixie: systemd 257)
FROM debian:trixie-slim AS base
# JOURNAL_GID: the gid of the HOSTS' systemd-journal group (101 on Debian/Ubuntu, 190 on Fedora/RHEL); the
# shipper's user joins it. Kubernetes (supplementalGroups) and compose (group_add) can add it at run time too.
ARG JOURNAL_GID=101
ARG UID=10001
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
 && journal_group="$(getent group "${JOURNAL_GID}" | cut -d: -f1)" \
 && if [ -z "${journal_group}" ]; then groupadd --gid "${JOURNAL_GID}" hostjournal; journal_group=hostjournal; fi \
 && groupadd --gid "${UID}" nodeincidents \
 && useradd --uid "${UID}" --gid nodeincidents --groups "${journal_group}" --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin nodeincidents \
 && mkdir -p /var/lib/nodeincidents /etc/nodeincidents/config /opt/nodeincidents/bin \
 && chown nodeincidents:nodeincidents /var/lib/nodeincidents
COPY --from=build /out/jre/ /opt/java/
COPY deploy/docker/healthcheck /opt/nodeincidents/bin/healthcheck
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:${PATH}
USER 10001

FROM base
ARG VERSION=0.1.0-SNAPSHOT
LABEL org.opencontainers.image.title="nodeincidents-shipper" \
      org.opencontainers.image.description="Follows a node's journal with journalctl and produces journal.entries to Kafka" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="nodeincidents"
COPY --from=build /out/lib/ /opt/nodeincidents/lib/
COPY deploy/config/shipper.properties /etc/nodeincidents/config/shipper.properties
# the DaemonSet and compose set their own, sized to their memory limits
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError"
WORKDIR /var/lib/nodeincidents
VOLUME ["/var/lib/nodeincidents"]
EXPOSE 9400
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD ["/opt/nodeincidents/bin/healthcheck", "http://127.0.0.1:9400/metrics"]
ENTRYPOINT ["/opt/java/bin/java", "-cp", "/opt/nodeincidents/lib/*", "io.nodeincidents.ingest.cli.IngestCommand"]
CMD ["ship", "--config", "/etc/nodeincidents/config/shipper.properties", \
     "--cursor-file", "/var/lib/nodeincidents/shipper.cursor"]
