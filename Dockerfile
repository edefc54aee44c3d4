# Multi-stage build: compile with the Swift toolchain, run on a slim Debian with only libevent, OpenSSL and hiredis.
# Base images: swift:6.3-bookworm (Debian 12 build image) and debian:bookworm-slim (12).
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libevent-dev libssl-dev libhiredis-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product holdfast --static-swift-stdlib \
    && install -D .build/release/holdfast /out/holdfast

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libevent-2.1-7 libssl3 libhiredis0.14 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin holdfast
COPY --from=build /out/holdfast /usr/local/bin/holdfast
COPY proxy.conf.example /etc/holdfast/proxy.conf
USER holdfast
# Clients, then the control port (publish, health, metrics).
EXPOSE 8080 5561
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/holdfast"]
CMD ["--config", "/etc/holdfast/proxy.conf"]
