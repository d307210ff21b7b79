# Builds Yui with PostgreSQL support (SQLite stays in too, for `DATABASE_URL=sqlite://...`).
FROM rust:1.95-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked --features postgres \
    && cp target/release/yui /usr/local/bin/yui

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/yui --create-home yui
COPY --from=build /usr/local/bin/yui /usr/local/bin/yui
USER yui
WORKDIR /var/lib/yui
ENV YUI_BIND=0.0.0.0:8080
EXPOSE 8080
# bash (not dash) for /dev/tcp: ask /healthz without installing curl.
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["yui"]
CMD ["serve"]
